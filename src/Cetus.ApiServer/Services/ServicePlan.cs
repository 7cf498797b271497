using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.ApiServer.Services;

/// <summary>The cluster IPs and node ports in use, by number, plus the names ("ip/…", "port/…") of those being written.</summary>
internal sealed class UsedAddresses
{
    /// <summary>Cluster IPs of stored services.</summary>
    public HashSet<uint> Ips { get; } = [];

    /// <summary>Node ports (and health check node ports) of stored services.</summary>
    public HashSet<int> Ports { get; } = [];

    /// <summary>Addresses handed out whose writes the cache has not seen yet.</summary>
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>The name an IP is reserved under.</summary>
    public static string IpName(uint ip) => "ip/" + ServiceCidr.Format(ip);

    /// <summary>The name a node port is reserved under.</summary>
    public static string PortName(int port) => "port/" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Records what a stored service holds.</summary>
    public void Add(V1ServiceSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        foreach (var ip in spec.ClusterIPs is { Count: > 0 } ips ? ips : [spec.ClusterIP])
        {
            if (ServiceCidr.TryNumber(ip) is { } number)
            {
                Ips.Add(number);
            }
        }

        foreach (var port in spec.Ports ?? [])
        {
            if (port.NodePort is { } nodePort and not 0)
            {
                Ports.Add(nodePort);
            }
        }

        if (spec.HealthCheckNodePort is { } healthCheck and not 0)
        {
            Ports.Add(healthCheck);
        }
    }

    /// <summary>True when the IP is taken.</summary>
    public bool Ip(uint ip) => Ips.Contains(ip) || Names.Contains(IpName(ip));

    /// <summary>True when the node port is taken.</summary>
    public bool Port(int port) => Ports.Contains(port) || Names.Contains(PortName(port));
}

/// <summary>
/// What one create or update of a service needs from the allocators (pkg/registry/core/service/storage/alloc.go):
/// a cluster IP when it has none yet (created, or changed from ExternalName) and is not headless; node ports for a
/// NodePort service or a LoadBalancer that allocates them (requested ones are checked, the others picked, ports of
/// the same number share one on create); a health check node port for a LoadBalancer with externalTrafficPolicy Local.
/// </summary>
internal sealed class ServicePlan
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");
    private readonly V1ServiceSpec _spec;
    private readonly ServiceNetwork _network;
    private readonly bool _create;
    private readonly bool _needsIp;
    private readonly bool _needsNodePorts;
    private readonly bool _allocateNodePorts;
    private readonly bool _needsHealthCheck;
    private readonly int _keptHealthCheck;
    private readonly HashSet<int> _oldPorts = [];

    private ServicePlan(V1ServiceSpec spec, V1ServiceSpec? previous, ServiceNetwork network)
    {
        _spec = spec;
        _network = network;
        _create = previous is null;
        var headless = spec.ClusterIP == "None" || spec.ClusterIPs is ["None", ..];
        _needsIp = spec.Type != "ExternalName" && !headless && (previous is null || previous.Type == "ExternalName");
        _needsNodePorts = spec.Type is "NodePort" or "LoadBalancer";
        _allocateNodePorts = spec.Type == "NodePort" || (spec.Type == "LoadBalancer" && spec.AllocateLoadBalancerNodePorts != false);
        _needsHealthCheck = NeedsHealthCheck(spec);
        if (previous is not null)
        {
            var old = new UsedAddresses();
            old.Add(previous);
            _oldPorts = old.Ports;
            if (NeedsHealthCheck(previous))
            {
                _keptHealthCheck = previous.HealthCheckNodePort ?? 0;
            }
        }
    }

    /// <summary>True when nothing is to be allocated.</summary>
    public bool IsEmpty => !_needsIp && !_needsNodePorts && !_needsHealthCheck;

    /// <summary>The plan for <paramref name="service"/>, created (<paramref name="old"/> null) or updated.</summary>
    public static ServicePlan Of(V1Service service, V1Service? old, ServiceNetwork network) =>
        new(service.Spec ??= new V1ServiceSpec(), old?.Spec, network);

    /// <summary>True when an address the service asks for is taken in <paramref name="used"/>.</summary>
    public bool RequestsTaken(UsedAddresses used) =>
        (_needsIp && ServiceCidr.TryNumber(_spec.ClusterIP) is { } ip && used.Ip(ip))
        || (_needsNodePorts && (_spec.Ports ?? []).Any(p => p.NodePort is { } port and not 0 && !_oldPorts.Contains(port) && used.Port(port)))
        || (_needsHealthCheck && _spec.HealthCheckNodePort is { } check and not 0 && check != _keptHealthCheck && used.Port(check));

    /// <summary>
    /// Fills the service's cluster IP and node ports from what <paramref name="used"/> leaves free. Returns the names
    /// of the addresses newly taken; adds a field error per request that cannot be met; sets
    /// <paramref name="exhausted"/> when a range is full (upstream answers that with an internal error).
    /// </summary>
    public List<string> Assign(UsedAddresses used, Random random, List<FieldError> errors, out string? exhausted)
    {
        exhausted = null;
        var taken = new List<string>();
        if (_needsIp)
        {
            exhausted = AssignIp(used, random, errors, taken);
        }

        var thisService = new HashSet<int>();
        if (_needsNodePorts)
        {
            exhausted ??= AssignNodePorts(used, random, errors, taken, thisService);
        }

        if (_needsHealthCheck)
        {
            var requested = _spec.HealthCheckNodePort ?? 0;
            if (requested != 0 && requested == _keptHealthCheck)
            {
                return taken;
            }

            if (requested != 0)
            {
                // Upstream answers a taken health check port with an internal error; it is the client's request that
                // cannot be met, so here it is a 422 like a taken node port.
                if (TakePort(requested, used, thisService, Spec.Child("healthCheckNodePort"), errors))
                {
                    taken.Add(UsedAddresses.PortName(requested));
                }
            }
            else if (_network.NodePorts.Pick(p => used.Port(p) || thisService.Contains(p), random) is { } picked)
            {
                _spec.HealthCheckNodePort = picked;
                thisService.Add(picked);
                taken.Add(UsedAddresses.PortName(picked));
            }
            else
            {
                exhausted ??= "failed to allocate a HealthCheck NodePort: range is full";
            }
        }

        return taken;
    }

    // []string{"10.43.0.5"}, as Go prints the clusterIPs value (IPs need no escaping).
    private GoLiteral IpList() => new("[]string{" + string.Join(", ", (_spec.ClusterIPs ?? []).Select(ip => "\"" + ip + "\"")) + "}");

    private static bool NeedsHealthCheck(V1ServiceSpec spec) => spec.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    private string? AssignIp(UsedAddresses used, Random random, List<FieldError> errors, List<string> taken)
    {
        var range = _network.ClusterIPs;
        if (!string.IsNullOrEmpty(_spec.ClusterIP))
        {
            var ip = _spec.ClusterIP;
            var failed = $"failed to allocate IP {ip}: ";
            if (ServiceCidr.TryNumber(ip) is not { } number)
            {
                errors.Add(FieldErrors.Invalid(Spec.Child("ipFamilies").Index(0), "IPv6", "not configured on this cluster"));
            }
            else if (!range.Usable(number))
            {
                errors.Add(FieldErrors.Invalid(Spec.Child("clusterIPs"), IpList(), failed + $"the provided IP ({ip}) is not in the valid range. The range of valid IPs is {range}"));
            }
            else if (used.Ip(number))
            {
                errors.Add(FieldErrors.Invalid(Spec.Child("clusterIPs"), IpList(), failed + "provided IP is already allocated"));
            }
            else
            {
                taken.Add(UsedAddresses.IpName(number));
            }

            return null;
        }

        if (range.Pick(used.Ip, random) is not { } picked)
        {
            return "failed to allocate a serviceIP: range is full";
        }

        _spec.ClusterIP = picked;
        _spec.ClusterIPs = [picked];
        taken.Add(UsedAddresses.IpName(ServiceCidr.TryNumber(picked)!.Value));
        return null;
    }

    private string? AssignNodePorts(UsedAddresses used, Random random, List<FieldError> errors, List<string> taken, HashSet<int> thisService)
    {
        var ports = _spec.Ports ?? [];
        var byServicePort = new Dictionary<int, int>();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var nodePort = port.NodePort ?? 0;
            if (nodePort == 0 && !_allocateNodePorts)
            {
                // Not allocating (a LoadBalancer with allocateLoadBalancerNodePorts false), but requests are honoured.
                continue;
            }

            if (_create && byServicePort.TryGetValue(port.Port, out var shared) && (nodePort == 0 || nodePort == shared))
            {
                // On create, ports of the same number (TCP and UDP of one port) share a node port.
                port.NodePort = shared;
                continue;
            }

            if (nodePort == 0 && _create)
            {
                nodePort = ports.Skip(i).FirstOrDefault(p => p.Port == port.Port && p.NodePort is not (null or 0))?.NodePort ?? 0;
            }

            if (nodePort != 0)
            {
                if ((_create || !_oldPorts.Contains(nodePort)) && TakePort(nodePort, used, thisService, Spec.Child("ports").Index(i).Child("nodePort"), errors))
                {
                    taken.Add(UsedAddresses.PortName(nodePort));
                }
            }
            else if (_network.NodePorts.Pick(p => used.Port(p) || thisService.Contains(p) || _oldPorts.Contains(p), random) is { } picked)
            {
                nodePort = picked;
                thisService.Add(picked);
                taken.Add(UsedAddresses.PortName(picked));
            }
            else
            {
                return "failed to allocate a nodePort: range is full";
            }

            port.NodePort = nodePort;
            byServicePort.TryAdd(port.Port, nodePort);
        }

        return null;
    }

    private bool TakePort(int port, UsedAddresses used, HashSet<int> thisService, FieldPath path, List<FieldError> errors)
    {
        var range = _network.NodePorts;
        if (!range.Contains(port))
        {
            errors.Add(FieldErrors.Invalid(path, port, $"provided port is not in the valid range. The range of valid ports is {range}"));
            return false;
        }

        if (used.Port(port) || !thisService.Add(port))
        {
            errors.Add(FieldErrors.Invalid(path, port, "provided port is already allocated"));
            return false;
        }

        return true;
    }
}
