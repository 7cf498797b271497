using Cetus.Api.Resources.CertificateSigningRequests;
using Cetus.Client;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.CertificateSigning;

/// <summary>
/// The csrsigning controller (pkg/controller/certificates/signer): issues the certificate of every approved CSR of the
/// signers kubernetes.io/kube-apiserver-client-kubelet, kubernetes.io/kubelet-serving and kubernetes.io/kube-apiserver-client
/// with the CA configured for that signer (the cluster CA unless --cluster-signing-* files name others), writing it to
/// <c>status.certificate</c>; a signer with no CA is left to someone else. A request the signer may not sign (a kubelet client
/// request that is not CN=system:node:*, O=system:nodes with client usages; a kubelet serving request that is not
/// CN=system:node:*, O=system:nodes with DNS or IP names and server usages; a client request with other usages) gets
/// the condition Failed (reason SignerValidationFailure) instead. Denied, failed, pending and issued requests are left alone.
/// </summary>
public sealed class CsrSigningController : CsrController
{
    /// <summary>The controller's name.</summary>
    public const string Name = "csrsigning";

    /// <summary>The signer names this controller can issue for.</summary>
    public static readonly IReadOnlyList<string> SignerNames = [CertificateRequests.KubeletClientSigner, CertificateRequests.KubeletServingSigner, CertificateRequests.ClientSigner];

    private readonly IReadOnlyDictionary<string, CertificateSigner> _signers;

    /// <summary>Creates the controller over the shared CSR cache, one CA signing for all of <see cref="SignerNames"/>.</summary>
    public CsrSigningController(Indexer<V1CertificateSigningRequest> requests, ICertificateClient client, CertificateSigner signer, TimeProvider time, ILogger? logger = null)
        : this(requests, client, SignerNames.ToDictionary(n => n, _ => signer), time, logger)
    {
    }

    /// <summary>Creates the controller over the shared CSR cache and a signer per signer name (of <see cref="SignerNames"/>).</summary>
    public CsrSigningController(Indexer<V1CertificateSigningRequest> requests, ICertificateClient client, IReadOnlyDictionary<string, CertificateSigner> signers, TimeProvider time, ILogger? logger = null)
        : base(Name, requests, client, time, logger)
    {
        ArgumentNullException.ThrowIfNull(signers);
        if (signers.Keys.FirstOrDefault(n => !SignerNames.Contains(n)) is { } unknown)
        {
            throw new ArgumentException($"no built-in signer is named {unknown}", nameof(signers));
        }

        _signers = signers;
    }

    /// <summary>Signs the CSR when it is approved, unsigned and for one of this signer's names.</summary>
    public override async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var cached = Requests.Get(null, name);
        if (cached is null
            || cached.Status?.Certificate is { Length: > 0 }
            || !CertificateRequests.Has(cached, "Approved")
            || CertificateRequests.Has(cached, "Denied")
            || CertificateRequests.Has(cached, "Failed")
            || cached.Spec?.SignerName is not { } signerName
            || !_signers.TryGetValue(signerName, out var signer))
        {
            return;
        }

        var csr = Objects.Clone(cached);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        var (request, parseError) = CertificateSigningRequestValidation.ParseRequest(csr.Spec.Request);
        if (request is null)
        {
            // The API server validated it on create: only a corrupted object gets here; upstream retries with the error.
            throw new InvalidOperationException($"unable to parse csr \"{name}\": {parseError}");
        }

        var problem = csr.Spec.SignerName switch
        {
            CertificateRequests.KubeletClientSigner => CertificateRequests.KubeletClientProblem(request, csr.Spec.Usages),
            CertificateRequests.KubeletServingSigner => CertificateRequests.KubeletServingProblem(request, csr.Spec.Usages),
            _ => CertificateRequests.ClientProblem(csr.Spec.Usages),
        };
        if (problem is not null)
        {
            csr.Status.Conditions = [.. csr.Status.Conditions ?? [], new V1CertificateSigningRequestCondition
            {
                Type = "Failed",
                Status = "True",
                Reason = "SignerValidationFailure",
                Message = problem,
            }];
            await Client.UpdateStatusAsync(csr, cancellationToken).ConfigureAwait(false);
            return;
        }

        csr.Status.Certificate = System.Text.Encoding.ASCII.GetBytes(signer.Sign(request, csr.Spec.Usages, csr.Spec.ExpirationSeconds));
        await Client.UpdateStatusAsync(csr, cancellationToken).ConfigureAwait(false);
        Logger.LogInformation("signed CSR {Name} ({Signer}) for {User}", name, csr.Spec.SignerName, csr.Spec.Username);
    }
}
