using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.ServiceAccounts;

/// <summary>ServiceAccounts: Name, Secrets (how many are listed), Age.</summary>
public sealed class ServiceAccountTable : TableConvertor<V1ServiceAccount>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1ServiceAccount item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        (long)(item.Secrets?.Count ?? 0),
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];
}
