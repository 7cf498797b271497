using System.Globalization;
using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>Services: Name, Type, Cluster-IP, External-IP, Port(s), Age, Selector (wide).</summary>
public sealed class ServiceTable : TableConvertor<V1Service>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
        Printing.Columns.Text("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
        Printing.Columns.Text("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."),
        Printing.Columns.Text("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
        Printing.Columns.Age(),
        Printing.Columns.Text("Selector", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/", priority: 1),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Service item, DateTimeOffset now)
    {
        var spec = item.Spec ?? new V1ServiceSpec();
        // Reading a v1 Service defaults the type to ClusterIP and each port's protocol to TCP.
        var type = string.IsNullOrEmpty(spec.Type) ? "ClusterIP" : spec.Type;
        var ports = string.Join(",", (spec.Ports ?? []).Select(FormatPort));
        return
        [
            item.Metadata?.Name,
            type,
            spec.ClusterIPs is { Count: > 0 } clusterIPs ? clusterIPs[0] : "<none>",
            ExternalIP(type, spec, item.Status?.LoadBalancer),
            ports.Length == 0 ? "<none>" : ports,
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
            SelectorCells.FormatLabels(spec.Selector),
        ];
    }

    private static string FormatPort(V1ServicePort port)
    {
        var protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol;
        return port.NodePort is > 0 and var nodePort
            ? string.Create(CultureInfo.InvariantCulture, $"{port.Port}:{nodePort}/{protocol}")
            : string.Create(CultureInfo.InvariantCulture, $"{port.Port}/{protocol}");
    }

    // The wide form: kube-apiserver never clips the load balancer addresses.
    private static string ExternalIP(string type, V1ServiceSpec spec, V1LoadBalancerStatus? loadBalancer)
    {
        var externalIPs = spec.ExternalIPs ?? [];
        switch (type)
        {
            case "ClusterIP" or "NodePort":
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : "<none>";
            case "LoadBalancer":
                var ingress = (loadBalancer?.Ingress ?? [])
                    .Select(i => !string.IsNullOrEmpty(i.Ip) ? i.Ip : i.Hostname)
                    .Where(a => !string.IsNullOrEmpty(a))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (externalIPs.Count > 0)
                {
                    return string.Join(",", ingress.Concat(externalIPs));
                }

                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return spec.ExternalName ?? string.Empty;
            default:
                return "<unknown>";
        }
    }
}
