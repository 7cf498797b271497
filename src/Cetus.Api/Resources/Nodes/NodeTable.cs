using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Nodes;

/// <summary>
/// Nodes: Name, Status, Roles, Age, Version, and wide: Internal-IP, External-IP, OS-Image, Kernel-Version,
/// Container-Runtime.
/// </summary>
public sealed class NodeTable : TableConvertor<V1Node>
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string LegacyRoleLabel = "kubernetes.io/role";
    private const string AddressesDescription = "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Status", "The status of the node"),
        Printing.Columns.Text("Roles", "The roles of the node"),
        Printing.Columns.Age(),
        Printing.Columns.Text("Version", "Kubelet Version reported by the node."),
        Printing.Columns.Text("Internal-IP", AddressesDescription, priority: 1),
        Printing.Columns.Text("External-IP", AddressesDescription, priority: 1),
        Printing.Columns.Text("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
        Printing.Columns.Text("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
        Printing.Columns.Text("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Node item, DateTimeOffset now)
    {
        var info = item.Status?.NodeInfo;
        var roles = string.Join(",", Roles(item.Metadata?.Labels));
        return
        [
            item.Metadata?.Name,
            Status(item),
            roles.Length == 0 ? "<none>" : roles,
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
            info?.KubeletVersion ?? string.Empty,
            Address(item, "InternalIP"),
            Address(item, "ExternalIP"),
            OrUnknown(info?.OsImage),
            OrUnknown(info?.KernelVersion),
            OrUnknown(info?.ContainerRuntimeVersion),
        ];
    }

    // Only the Ready condition is shown; a cordoned node adds SchedulingDisabled.
    private static string Status(V1Node node)
    {
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        return node.Spec?.Unschedulable == true ? status + ",SchedulingDisabled" : status;
    }

    private static IEnumerable<string> Roles(IDictionary<string, string>? labels)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && key.Length > RoleLabelPrefix.Length)
            {
                roles.Add(key[RoleLabelPrefix.Length..]);
            }
            else if (key == LegacyRoleLabel && value.Length > 0)
            {
                roles.Add(value);
            }
        }

        return roles;
    }

    private static string Address(V1Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? "<none>";

    private static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
