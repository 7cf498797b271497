using Cetus.Cri.V1;
using Cetus.Kubelet.Node;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// A pod's DNS configuration (Kubernetes' pkg/kubelet/network/dns): dnsPolicy ClusterFirst uses the cluster DNS server
/// with the search paths NS.svc.DOMAIN svc.DOMAIN DOMAIN before the host's and ndots:5 (hostNetwork pods, and nodes
/// without a cluster DNS server, fall back to Default); Default uses the host's resolv.conf; None starts empty;
/// ClusterFirstWithHostNet is ClusterFirst even with hostNetwork. pod.spec.dnsConfig is then appended (nameservers
/// and searches without duplicates, options merged by name) and the result cut to the resolver's limits.
/// </summary>
public static class PodDns
{
    private const int MaxNameservers = 3;
    private const int MaxSearchPaths = 32;

    // resolv.conf read once per change (every sandbox config asks for it).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Written, List<string> Servers, List<string> Searches, List<string> Options)> HostConfigs = new(StringComparer.Ordinal);

    /// <summary>The sandbox's DNS config.</summary>
    /// <param name="pod">The pod.</param>
    /// <param name="node">The node (cluster DNS, domain and resolv.conf path).</param>
    /// <param name="missingClusterDns">Set true when ClusterFirst fell back to Default for lack of a cluster DNS server (the kubelet warns).</param>
    public static DNSConfig For(V1Pod pod, NodeConfig node, out bool missingClusterDns)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        missingClusterDns = false;
        var hostNetwork = pod.Spec.HostNetwork == true;
        var policy = pod.Spec.DnsPolicy ?? "ClusterFirst";
        var cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork);
        List<string> servers = [], searches = [], options = [];
        if (policy != "None")
        {
            (servers, searches, options) = CachedHostConfig(node.ResolvConf);
            if (cluster && node.ClusterDns is { Length: > 0 } clusterDns)
            {
                servers = [clusterDns];
                var domain = node.ClusterDomain;
                searches = string.IsNullOrEmpty(domain)
                    ? searches
                    : [.. new[] { $"{pod.Metadata.NamespaceProperty}.svc.{domain}", $"svc.{domain}", domain }.Concat(searches).Distinct(StringComparer.Ordinal)];
                options = ["ndots:5"];
            }
            else if (cluster)
            {
                missingClusterDns = true;
            }
        }

        if (pod.Spec.DnsConfig is { } extra)
        {
            servers = [.. servers.Concat(extra.Nameservers ?? []).Distinct(StringComparer.Ordinal)];
            searches = [.. searches.Concat(extra.Searches ?? []).Distinct(StringComparer.Ordinal)];
            options = MergeOptions(options, extra.Options ?? []);
        }

        return new DNSConfig
        {
            Servers = { servers.Take(MaxNameservers) },
            Searches = { searches.Take(MaxSearchPaths) },
            Options = { options },
        };
    }

    /// <summary>Nameservers, search paths and options of a resolv.conf (empty when the file is unset or missing).</summary>
    public static (List<string> Servers, List<string> Searches, List<string> Options) HostConfig(string? resolvConf)
    {
        List<string> servers = [], searches = [], options = [];
        if (string.IsNullOrEmpty(resolvConf) || !File.Exists(resolvConf))
        {
            return (servers, searches, options);
        }

        foreach (var raw in File.ReadLines(resolvConf))
        {
            var line = raw.Split('#', ';')[0];
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            switch (fields[0])
            {
                case "nameserver":
                    servers.Add(fields[1]);
                    break;
                case "search":
                    // The last search line wins, as in the resolver; "." is the root domain (no search).
                    searches = [.. fields.Skip(1).Where(s => s != ".")];
                    break;
                case "options":
                    options.AddRange(fields.Skip(1));
                    break;
            }
        }

        return (servers, searches, options);
    }

    private static (List<string> Servers, List<string> Searches, List<string> Options) CachedHostConfig(string? resolvConf)
    {
        if (string.IsNullOrEmpty(resolvConf) || !File.Exists(resolvConf))
        {
            return ([], [], []);
        }

        var written = File.GetLastWriteTimeUtc(resolvConf);
        if (!HostConfigs.TryGetValue(resolvConf, out var cached) || cached.Written != written)
        {
            var (servers, searches, options) = HostConfig(resolvConf);
            HostConfigs[resolvConf] = cached = (written, servers, searches, options);
        }

        // Copies: callers build on them.
        return ([.. cached.Servers], [.. cached.Searches], [.. cached.Options]);
    }

    // Options by name: dnsConfig's replace the existing ones of the same name.
    private static List<string> MergeOptions(List<string> existing, IEnumerable<V1PodDNSConfigOption> extra)
    {
        var merged = new List<(string Name, string? Value)>();
        void Set(string name, string? value)
        {
            var index = merged.FindIndex(o => o.Name == name);
            if (index >= 0)
            {
                merged[index] = (name, value);
            }
            else
            {
                merged.Add((name, value));
            }
        }

        foreach (var option in existing)
        {
            var colon = option.IndexOf(':', StringComparison.Ordinal);
            Set(colon < 0 ? option : option[..colon], colon < 0 ? null : option[(colon + 1)..]);
        }

        foreach (var option in extra)
        {
            Set(option.Name, option.Value);
        }

        return [.. merged.Select(o => string.IsNullOrEmpty(o.Value) ? o.Name : $"{o.Name}:{o.Value}")];
    }
}
