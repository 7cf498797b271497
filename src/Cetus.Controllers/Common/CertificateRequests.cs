using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>
/// What the certificate controllers share (pkg/apis/certificates/helpers.go and pkg/controller/certificates): the
/// signer names, the approval state of a CSR, and the shape of a kubelet client certificate request.
/// </summary>
public static class CertificateRequests
{
    /// <summary>The signer of kubelet client certificates (CN system:node:NAME, O system:nodes).</summary>
    public const string KubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";

    /// <summary>The signer of kubelet serving certificates (CN system:node:NAME, O system:nodes, DNS/IP names of the node).</summary>
    public const string KubeletServingSigner = "kubernetes.io/kubelet-serving";

    /// <summary>The signer of any client certificate the API server trusts.</summary>
    public const string ClientSigner = "kubernetes.io/kube-apiserver-client";

    /// <summary>The group of every node.</summary>
    public const string NodesGroup = "system:nodes";

    /// <summary>The prefix of a node's user name.</summary>
    public const string NodeUserPrefix = "system:node:";

    private static readonly HashSet<string> KubeletClientUsages = ["digital signature", "key encipherment", "client auth"];
    private static readonly HashSet<string> KubeletClientUsagesNoRsa = ["digital signature", "client auth"];
    private static readonly HashSet<string> KubeletServingUsages = ["digital signature", "key encipherment", "server auth"];
    private static readonly HashSet<string> KubeletServingUsagesNoRsa = ["digital signature", "server auth"];
    private static readonly HashSet<string> ClientUsages = ["digital signature", "key encipherment", "client auth"];

    /// <summary>Whether the CSR has the condition <paramref name="type"/> (Approved, Denied, Failed) set to True.</summary>
    public static bool Has(V1CertificateSigningRequest csr, string type) =>
        csr.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    /// <summary>The common name and organizations of a request's subject.</summary>
    public static (string CommonName, IReadOnlyList<string> Organizations) Subject(CertificateRequest request)
    {
        var commonName = string.Empty;
        var organizations = new List<string>();
        foreach (var rdn in request.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3":
                    commonName = rdn.GetSingleElementValue() ?? string.Empty;
                    break;
                case "2.5.4.10":
                    organizations.Add(rdn.GetSingleElementValue() ?? string.Empty);
                    break;
            }
        }

        return (commonName, organizations);
    }

    /// <summary>
    /// Why a request is not a kubelet client certificate request (upstream's ValidateKubeletClientCSR), or null when it
    /// is one: O exactly system:nodes, CN system:node:NAME, no subject alternative names, and usages exactly digital
    /// signature + client auth, with or without key encipherment.
    /// </summary>
    public static string? KubeletClientProblem(CertificateRequest request, IEnumerable<string>? usages)
    {
        var (commonName, organizations) = Subject(request);
        if (organizations.Count != 1 || organizations[0] != NodesGroup)
        {
            return "subject organization is not system:nodes";
        }

        if (HasSubjectAlternativeNames(request))
        {
            return "DNS, email, IP or URI subjectAltNames are not allowed";
        }

        if (!commonName.StartsWith(NodeUserPrefix, StringComparison.Ordinal) || commonName.Length == NodeUserPrefix.Length)
        {
            return "subject common name does not begin with system:node:";
        }

        var set = (usages ?? []).ToHashSet(StringComparer.Ordinal);
        return set.SetEquals(KubeletClientUsages) || set.SetEquals(KubeletClientUsagesNoRsa)
            ? null
            : $"usages did not match [client auth digital signature] or [client auth digital signature key encipherment]";
    }

    /// <summary>
    /// Why a request is not a kubelet serving certificate request (upstream's ValidateKubeletServingCSR, its checks in
    /// its order and with its messages), or null when it is one: O exactly system:nodes, at least one DNS or IP
    /// subject alternative name, no email or URI ones, usages exactly digital signature + server auth with or without
    /// key encipherment, and CN system:node:NAME.
    /// </summary>
    public static string? KubeletServingProblem(CertificateRequest request, IEnumerable<string>? usages)
    {
        var (commonName, organizations) = Subject(request);
        if (organizations.Count != 1 || organizations[0] != NodesGroup)
        {
            return "subject organization is not system:nodes";
        }

        if (AlternativeNames(request) is not { } names)
        {
            return "unable to parse the subjectAltName extension";
        }

        if (names.Dns == 0 && names.Ip == 0)
        {
            return "DNS or IP subjectAltName is required";
        }

        if (names.Email > 0)
        {
            return "Email subjectAltNames are not allowed";
        }

        if (names.Uri > 0)
        {
            return "URI subjectAltNames are not allowed";
        }

        var set = (usages ?? []).ToHashSet(StringComparer.Ordinal);
        if (!set.SetEquals(KubeletServingUsages) && !set.SetEquals(KubeletServingUsagesNoRsa))
        {
            return "usages did not match [digital signature key encipherment server auth]";
        }

        return commonName.StartsWith(NodeUserPrefix, StringComparison.Ordinal) ? null : "subject common name does not begin with system:node:";
    }

    /// <summary>
    /// How many DNS, IP, email and URI names the request's subjectAltName extension holds (none without one); null when
    /// the extension is not DER.
    /// </summary>
    public static (int Dns, int Ip, int Email, int Uri)? AlternativeNames(CertificateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        int dns = 0, ip = 0, email = 0, uri = 0;
        try
        {
            CountNames(request, ref dns, ref ip, ref email, ref uri);
        }
        catch (AsnContentException)
        {
            return null;
        }

        return (dns, ip, email, uri);
    }

    private static void CountNames(CertificateRequest request, ref int dns, ref int ip, ref int email, ref int uri)
    {
        foreach (var extension in request.CertificateExtensions.Where(e => e.Oid?.Value == "2.5.29.17"))
        {
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                names.ReadEncodedValue();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    continue;
                }

                switch (tag.TagValue)
                {
                    case 1: email++; break;
                    case 2: dns++; break;
                    case 6: uri++; break;
                    case 7: ip++; break;
                }
            }
        }
    }

    /// <summary>Why a request may not have a kube-apiserver-client certificate (a usage other than client ones), or null.</summary>
    public static string? ClientProblem(IEnumerable<string>? usages) =>
        (usages ?? []).FirstOrDefault(u => !ClientUsages.Contains(u)) is { } bad ? $"invalid usage for client certificate: {bad}" : null;

    private static bool HasSubjectAlternativeNames(CertificateRequest request) =>
        request.CertificateExtensions.Any(e => e.Oid?.Value == "2.5.29.17" && new AsnReader(e.RawData, AsnEncodingRules.DER).ReadSequence().HasData);
}

/// <summary>The writes of the certificate controllers, and the access review the approver asks.</summary>
public interface ICertificateClient
{
    /// <summary>PUT …/certificatesigningrequests/NAME/approval.</summary>
    Task UpdateApprovalAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken);

    /// <summary>PUT …/certificatesigningrequests/NAME/status.</summary>
    Task UpdateStatusAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken);

    /// <summary>Deletes a CSR.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether the user may do what the review asks (a SubjectAccessReview).</summary>
    Task<bool> AllowedAsync(V1SubjectAccessReviewSpec review, CancellationToken cancellationToken);
}

/// <summary>The certificate controllers' writes through the API server.</summary>
public sealed class KubernetesCertificateClient(IKubernetes client) : ICertificateClient
{
    /// <inheritdoc />
    public Task UpdateApprovalAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken) =>
        client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(csr, csr.Metadata.Name, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public Task UpdateStatusAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken) =>
        client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(csr, csr.Metadata.Name, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        client.CertificatesV1.DeleteCertificateSigningRequestAsync(name, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public async Task<bool> AllowedAsync(V1SubjectAccessReviewSpec review, CancellationToken cancellationToken)
    {
        var answer = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview { ApiVersion = "authorization.k8s.io/v1", Kind = "SubjectAccessReview", Spec = review },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return answer.Status?.Allowed == true;
    }
}
