using System.Security.Cryptography.X509Certificates;
using Cetus.Api.Resources.CertificateSigningRequests;
using Cetus.Client;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.CertificateApproving;

/// <summary>
/// The csrapproving controller (pkg/controller/certificates/approver/sarapprove.go): approves kubelet client certificate
/// requests (signer kubernetes.io/kube-apiserver-client-kubelet, CN system:node:NAME, O system:nodes, client usages)
/// when a SubjectAccessReview says their requester may <c>create certificatesigningrequests/selfnodeclient</c> (a node
/// renewing its own certificate) or <c>…/nodeclient</c> (a bootstrap token asking for a node's first one). It never
/// denies: a request it does not recognize, or whose requester lacks the permission, stays Pending for someone else.
/// Unlike upstream (which leaves kubelet serving certificates to the operator) and like k3s, it also approves a
/// kubelet serving request (signer kubernetes.io/kubelet-serving) that a node makes for itself: requester
/// <c>system:node:NAME</c> in group system:nodes, CN the same name, a valid serving request (upstream's
/// ValidateKubeletServingCSR) that names no in-cluster API server name (<c>kubernetes</c>, <c>kubernetes.*</c>).
/// </summary>
public sealed class CsrApprovingController : CsrController
{
    /// <summary>The controller's name.</summary>
    public const string Name = "csrapproving";

    private const string CertificatesGroup = "certificates.k8s.io";
    /// <summary>Creates the controller over the shared CSR cache.</summary>
    public CsrApprovingController(Indexer<V1CertificateSigningRequest> requests, ICertificateClient client, TimeProvider time, ILogger? logger = null)
        : base(Name, requests, client, time, logger)
    {
    }

    /// <summary>Approves the CSR when it is a kubelet client request its requester is allowed to make.</summary>
    public override async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var cached = Requests.Get(null, name);
        if (cached?.Spec is null
            || cached.Status?.Certificate is { Length: > 0 }
            || CertificateRequests.Has(cached, "Approved")
            || CertificateRequests.Has(cached, "Denied"))
        {
            return;
        }

        if (cached.Spec.SignerName == CertificateRequests.KubeletServingSigner)
        {
            if (SelfServing(cached) is { } node)
            {
                await ApproveAsync(cached, "Auto approving self kubelet serving certificate: requested by the node itself.", cancellationToken).ConfigureAwait(false);
                Logger.LogInformation("approved kubelet serving CSR {Name} of node {Node}", name, node);
            }

            return;
        }

        var (permission, message) = Recognize(cached);
        if (permission.Count == 0)
        {
            return;
        }

        foreach (var (subresource, success) in permission)
        {
            var allowed = await Client.AllowedAsync(new V1SubjectAccessReviewSpec
            {
                User = cached.Spec.Username,
                Uid = cached.Spec.Uid,
                Groups = cached.Spec.Groups,
                Extra = cached.Spec.Extra,
                ResourceAttributes = new V1ResourceAttributes { Group = CertificatesGroup, Resource = "certificatesigningrequests", Verb = "create", Subresource = subresource },
            }, cancellationToken).ConfigureAwait(false);
            if (!allowed)
            {
                continue;
            }

            await ApproveAsync(cached, success, cancellationToken).ConfigureAwait(false);
            Logger.LogInformation("approved CSR {Name} for {User}", name, cached.Spec.Username);
            return;
        }

        // Upstream returns an ignorable error: logged, not retried.
        Logger.LogInformation("recognized CSR {Name} as {Kinds} but the subject access review was not approved", name, message);
    }

    /// <summary>
    /// The node whose own kubelet serving request this is, or null: the requester is <c>system:node:NAME</c> in group
    /// system:nodes, the request's CN is that user, it passes upstream's serving checks, and none of its DNS names is
    /// the API server's in-cluster name.
    /// </summary>
    public static string? SelfServing(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        var user = csr.Spec?.Username ?? string.Empty;
        if (csr.Spec?.SignerName != CertificateRequests.KubeletServingSigner
            || !user.StartsWith(CertificateRequests.NodeUserPrefix, StringComparison.Ordinal)
            || user.Length == CertificateRequests.NodeUserPrefix.Length
            || csr.Spec.Groups?.Contains(CertificateRequests.NodesGroup) != true)
        {
            return null;
        }

        var (request, _) = CertificateSigningRequestValidation.ParseRequest(csr.Spec.Request);
        if (request is null
            || CertificateRequests.Subject(request).CommonName != user
            || CertificateRequests.KubeletServingProblem(request, csr.Spec.Usages) is not null)
        {
            return null;
        }

        var dnsNames = request.CertificateExtensions.Where(e => e.Oid?.Value == "2.5.29.17")
            .SelectMany(e => new X509SubjectAlternativeNameExtension(e.RawData).EnumerateDnsNames());
        return dnsNames.Any(n => n == "kubernetes" || n.StartsWith("kubernetes.", StringComparison.Ordinal))
            ? null
            : user[CertificateRequests.NodeUserPrefix.Length..];
    }

    private async Task ApproveAsync(V1CertificateSigningRequest cached, string message, CancellationToken cancellationToken)
    {
        var csr = Objects.Clone(cached);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions = [.. csr.Status.Conditions ?? [], new V1CertificateSigningRequestCondition
        {
            Type = "Approved",
            Status = "True",
            Reason = "AutoApproved",
            Message = message,
        }];
        await Client.UpdateApprovalAsync(csr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The permissions that would let the CSR's requester have it approved, most specific first, with the approval
    /// message of each: selfnodeclient when a node asks for its own name, then nodeclient for any kubelet client request.
    /// </summary>
    public static (IReadOnlyList<(string Subresource, string Message)> Permissions, string Tried) Recognize(V1CertificateSigningRequest csr)
    {
        if (csr.Spec?.SignerName != CertificateRequests.KubeletClientSigner)
        {
            return ([], string.Empty);
        }

        var (request, _) = CertificateSigningRequestValidation.ParseRequest(csr.Spec.Request);
        if (request is null || CertificateRequests.KubeletClientProblem(request, csr.Spec.Usages) is not null)
        {
            return ([], string.Empty);
        }

        var permissions = new List<(string, string)>();
        if (csr.Spec.Username == CertificateRequests.Subject(request).CommonName)
        {
            permissions.Add(("selfnodeclient", "Auto approving self kubelet client certificate after SubjectAccessReview."));
        }

        permissions.Add(("nodeclient", "Auto approving kubelet client certificate after SubjectAccessReview."));
        return (permissions, "[" + string.Join(' ', permissions.Select(p => p.Item1)) + "]");
    }
}
