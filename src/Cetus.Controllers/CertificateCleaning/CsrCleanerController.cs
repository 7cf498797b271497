using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.CertificateCleaning;

/// <summary>
/// The csrcleaner controller (pkg/controller/certificates/cleaner): deletes CSRs that are done with — issued ones an hour
/// after approval, denied and failed ones an hour after that condition, pending ones a day after creation, and any
/// whose certificate has expired. Instead of upstream's hourly relist, each CSR is queued again for its own deadline.
/// </summary>
public sealed class CsrCleanerController : CsrController
{
    /// <summary>The controller's name.</summary>
    public const string Name = "csrcleaner";

    /// <summary>How long an issued, denied or failed CSR is kept.</summary>
    public static readonly TimeSpan FinishedExpiration = TimeSpan.FromHours(1);

    /// <summary>How long a pending CSR is kept.</summary>
    public static readonly TimeSpan PendingExpiration = TimeSpan.FromHours(24);

    private readonly TimeProvider _time;

    /// <summary>Creates the controller over the shared CSR cache.</summary>
    public CsrCleanerController(Indexer<V1CertificateSigningRequest> requests, ICertificateClient client, TimeProvider time, ILogger? logger = null)
        : base(Name, requests, client, time, logger)
    {
        _time = time;
    }

    /// <summary>When the CSR is due for deletion (null: never, it is being deleted already).</summary>
    public static DateTimeOffset? Deadline(V1CertificateSigningRequest csr)
    {
        if (csr.Metadata.DeletionTimestamp is not null)
        {
            return null;
        }

        DateTimeOffset? At(string type) =>
            csr.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True") is { } condition
                ? new DateTimeOffset(DateTime.SpecifyKind(condition.LastUpdateTime ?? condition.LastTransitionTime ?? csr.Metadata.CreationTimestamp ?? DateTime.UtcNow, DateTimeKind.Utc)) + FinishedExpiration
                : null;

        var deadlines = new List<DateTimeOffset?> { At("Denied"), At("Failed") };
        if (csr.Status?.Certificate is { Length: > 0 } pem)
        {
            deadlines.Add(At("Approved"));
            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(pem));
                deadlines.Add(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // An unreadable certificate does not make the CSR due sooner.
            }
        }
        else if (!CertificateRequests.Has(csr, "Approved") && !CertificateRequests.Has(csr, "Denied") && !CertificateRequests.Has(csr, "Failed"))
        {
            deadlines.Add(new DateTimeOffset(DateTime.SpecifyKind(csr.Metadata.CreationTimestamp ?? DateTime.UtcNow, DateTimeKind.Utc)) + PendingExpiration);
        }

        var due = deadlines.Where(d => d is not null).Select(d => d!.Value).ToList();
        return due.Count == 0 ? null : due.Min();
    }

    /// <summary>Deletes the CSR when its deadline has passed, or looks again at the deadline.</summary>
    public override async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var csr = Requests.Get(null, name);
        if (csr is null || Deadline(csr) is not { } deadline)
        {
            return;
        }

        var left = deadline - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            Queue.AddAfter(name, left);
            return;
        }

        try
        {
            await Client.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            Logger.LogInformation("deleted CSR {Name}: done with since {Deadline}", name, deadline);
        }
        catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
        }
    }
}
