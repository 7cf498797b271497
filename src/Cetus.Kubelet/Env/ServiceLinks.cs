using System.Globalization;
using k8s.Models;

namespace Cetus.Kubelet.Env;

/// <summary>The services the kubelet knows (its service informer's cache), for service-link variables.</summary>
public interface IServiceLister
{
    /// <summary>True once the services have been listed at least once.</summary>
    bool HasSynced { get; }

    /// <summary>Every service, in every namespace.</summary>
    IEnumerable<V1Service> List();
}

/// <summary>
/// Service-link environment variables (the kubelet's getServiceEnvVarMap and pkg/kubelet/envvars): for every service
/// with a cluster IP (not headless) in the pod's namespace when the pod has enableServiceLinks, and always for the
/// <c>kubernetes</c> service of <c>default</c> (a service of that name in the pod's own namespace wins),
/// NAME_SERVICE_HOST, NAME_SERVICE_PORT, NAME_SERVICE_PORT_PORTNAME per named port, and Docker's link variables
/// NAME_PORT, NAME_PORT_P_PROTO, with _PROTO, _PORT and _ADDR.
/// </summary>
public static class ServiceLinks
{
    /// <summary>The variables a pod in <paramref name="ns"/> gets from <paramref name="services"/>, by name.</summary>
    public static Dictionary<string, string> ForPod(IEnumerable<V1Service> services, string ns, bool enableServiceLinks)
    {
        ArgumentNullException.ThrowIfNull(services);
        var chosen = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!HasClusterIP(service))
            {
                continue;
            }

            var name = service.Metadata.Name;
            if (service.Metadata.NamespaceProperty == "default" && name == "kubernetes")
            {
                chosen.TryAdd(name, service);
            }
            else if (service.Metadata.NamespaceProperty == ns && enableServiceLinks)
            {
                chosen[name] = service;
            }
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in FromServices(chosen.Values))
        {
            result[name] = value;
        }

        return result;
    }

    /// <summary>The variables of <paramref name="services"/>, in upstream's order per service.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FromServices(IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var service in services)
        {
            if (!HasClusterIP(service) || service.Spec.Ports is not { Count: > 0 } ports)
            {
                continue;
            }

            var prefix = VariableName(service.Metadata.Name);
            var ip = service.Spec.ClusterIP;
            result.Add(new(prefix + "_SERVICE_HOST", ip));
            result.Add(new(prefix + "_SERVICE_PORT", Number(ports[0].Port)));
            foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            {
                result.Add(new(prefix + "_SERVICE_PORT_" + VariableName(port.Name), Number(port.Port)));
            }

            for (var i = 0; i < ports.Count; i++)
            {
                var protocol = string.IsNullOrEmpty(ports[i].Protocol) ? "TCP" : ports[i].Protocol;
                var lower = protocol.ToLowerInvariant();
                var url = $"{lower}://{HostPort(ip, ports[i].Port)}";
                if (i == 0)
                {
                    // Docker special-cases the first port.
                    result.Add(new(prefix + "_PORT", url));
                }

                var portPrefix = $"{prefix}_PORT_{Number(ports[i].Port)}_{protocol.ToUpperInvariant()}";
                result.Add(new(portPrefix, url));
                result.Add(new(portPrefix + "_PROTO", lower));
                result.Add(new(portPrefix + "_PORT", Number(ports[i].Port)));
                result.Add(new(portPrefix + "_ADDR", ip));
            }
        }

        return result;
    }

    /// <summary>clusterIP set and not "None" (v1helper.IsServiceIPSet).</summary>
    public static bool HasClusterIP(V1Service service) =>
        service?.Spec is { } spec && !string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIP != "None";

    private static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string Number(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string HostPort(string ip, int port) => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{Number(port)}" : $"{ip}:{Number(port)}";
}

/// <summary>The services a shared informer holds.</summary>
public sealed class InformerServiceLister(Cetus.Client.Informers.SharedInformer<V1Service> informer) : IServiceLister
{
    /// <inheritdoc />
    public bool HasSynced => informer.HasSynced;

    /// <inheritdoc />
    public IEnumerable<V1Service> List() => informer.Store.List();
}
