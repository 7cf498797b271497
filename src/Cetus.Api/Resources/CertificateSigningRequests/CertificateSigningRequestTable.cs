using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.CertificateSigningRequests;

/// <summary>CSRs: Name, Age, SignerName, Requestor, RequestedDuration, Condition (printers.go's certificateSigningRequest columns).</summary>
public sealed class CertificateSigningRequestTable : TableConvertor<V1CertificateSigningRequest>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Age(),
        Printing.Columns.Text("SignerName", "signerName indicates the requested signer, and is a qualified name."),
        Printing.Columns.Text("Requestor", "Name of requestor"),
        Printing.Columns.Text("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate."),
        Printing.Columns.Text("Condition", "Condition of the request"),
    ];

    /// <summary>Denied, Approved or Pending, then ",Failed" and ",Issued" when they apply (upstream's extractCSRStatus).</summary>
    public static string Condition(V1CertificateSigningRequest item)
    {
        var types = (item.Status?.Conditions ?? []).Select(c => c.Type).ToHashSet(StringComparer.Ordinal);
        var condition = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed"))
        {
            condition += ",Failed";
        }

        if (item.Status?.Certificate is { Length: > 0 })
        {
            condition += ",Issued";
        }

        return condition;
    }

    /// <inheritdoc />
    protected override object?[] Row(V1CertificateSigningRequest item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
        item.Spec?.SignerName ?? string.Empty,
        item.Spec?.Username ?? string.Empty,
        item.Spec?.ExpirationSeconds is { } seconds ? HumanDuration.Format(TimeSpan.FromSeconds(seconds)) : "<none>",
        Condition(item),
    ];
}
