using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.CertificateSigningRequests;

/// <summary>
/// CertificateSigningRequests (certificates.k8s.io/v1, pkg/registry/certificates/certificates/strategy.go): the spec
/// is the requester's and immutable, and its username, uid, groups and extra are the authenticated creator's, whatever
/// the body said; the Approved and Denied conditions change only through <c>/approval</c>, the certificate only
/// through <c>/status</c>.
/// </summary>
internal sealed class CertificateSigningRequestStrategy : ResourceStrategy<V1CertificateSigningRequest>
{
    /// <inheritdoc />
    protected override void PrepareForCreate(V1CertificateSigningRequest item)
    {
        item.Status = null;
        item.Spec ??= new V1CertificateSigningRequestSpec();
        item.Spec.Username = null;
        item.Spec.Uid = null;
        item.Spec.Groups = null;
        item.Spec.Extra = null;
    }

    /// <inheritdoc />
    protected override void RecordRequester(V1CertificateSigningRequest item, Requester requester)
    {
        item.Spec ??= new V1CertificateSigningRequestSpec();
        item.Spec.Username = requester.Name;
        item.Spec.Uid = requester.Uid.Length == 0 ? null : requester.Uid;
        item.Spec.Groups = requester.Groups.Count == 0 ? null : [.. requester.Groups];
        item.Spec.Extra = requester.Extra.Count == 0 ? null : requester.Extra.ToDictionary(e => e.Key, e => (IList<string>)[.. e.Value]);
    }

    /// <inheritdoc />
    protected override void PrepareForUpdate(V1CertificateSigningRequest item, V1CertificateSigningRequest old)
    {
        // Neither the spec nor the status changes through the main resource.
        item.Spec = old.Spec;
        item.Status = old.Status;
    }

    /// <inheritdoc />
    protected override void PrepareForStatusUpdate(V1CertificateSigningRequest item, V1CertificateSigningRequest old)
    {
        item.Spec = old.Spec;
        // The approval conditions are the /approval subresource's: the old ones stay, new ones are dropped.
        var conditions = (item.Status?.Conditions ?? []).Where(c => !IsApproval(c.Type))
            .Concat((old.Status?.Conditions ?? []).Where(c => IsApproval(c.Type)))
            .ToList();
        item.Status ??= new V1CertificateSigningRequestStatus();
        item.Status.Conditions = conditions.Count == 0 ? null : conditions;
        PopulateConditionTimestamps(item, old);
    }

    /// <inheritdoc />
    protected override void PrepareForApprovalUpdate(V1CertificateSigningRequest item, V1CertificateSigningRequest old)
    {
        // Only the conditions change; the certificate stays as it was.
        item.Spec = old.Spec;
        var conditions = item.Status?.Conditions;
        item.Status = new V1CertificateSigningRequestStatus { Certificate = old.Status?.Certificate, Conditions = conditions };
        PopulateConditionTimestamps(item, old);
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1CertificateSigningRequest item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: false, NameValidators.DnsSubdomain)
            .Concat(CertificateSigningRequestValidation.Spec(item.Spec))
            .Concat(CertificateSigningRequestValidation.Status(item.Status, null))
            .ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1CertificateSigningRequest item, V1CertificateSigningRequest old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(CertificateSigningRequestValidation.Status(item.Status, old.Status))
            .ToList();

    /// <inheritdoc />
    protected override void AddSelectableFields(V1CertificateSigningRequest item, Dictionary<string, string> fields) =>
        fields["spec.signerName"] = item.Spec?.SignerName ?? string.Empty;

    private static bool IsApproval(string? type) => type is "Approved" or "Denied";

    // Upstream's populateConditionTimestamps: a condition without times gets now, or the old one's transition time
    // when the same condition had the same status before.
    private static void PopulateConditionTimestamps(V1CertificateSigningRequest item, V1CertificateSigningRequest old)
    {
        var now = DateTime.UtcNow;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        foreach (var condition in item.Status?.Conditions ?? [])
        {
            condition.LastUpdateTime ??= now;
            if (condition.LastTransitionTime is null)
            {
                var previous = old.Status?.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
                condition.LastTransitionTime = previous is not null && previous.Status == condition.Status && previous.LastTransitionTime is { } kept
                    ? kept
                    : now;
            }
        }
    }
}
