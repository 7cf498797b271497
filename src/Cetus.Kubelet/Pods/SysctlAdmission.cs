using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// The kubelet's sysctl admission (pkg/kubelet/sysctl: the safe set of Kubernetes 1.32, each with the kernel it needs,
/// plus the node's --allowed-unsafe-sysctls names and prefix patterns ending in <c>*</c>): a pod whose
/// securityContext.sysctls holds anything else, or a net.* sysctl with hostNetwork, or an IPC one with hostIPC, is
/// rejected with reason <see cref="ForbiddenReason"/>.
/// </summary>
public sealed class SysctlAdmission : IPodAdmitHandler
{
    /// <summary>The rejection reason.</summary>
    public const string ForbiddenReason = "SysctlForbidden";

    private const string Ipc = "ipc";
    private const string Net = "net";

    // pkg/kubelet/sysctl/safe_sysctls.go (1.32): name and the kernel that has it namespaced.
    private static readonly (string Name, Version? Kernel)[] Safe =
    [
        ("kernel.shm_rmid_forced", null),
        ("net.ipv4.ip_local_port_range", null),
        ("net.ipv4.tcp_syncookies", null),
        ("net.ipv4.ping_group_range", null),
        ("net.ipv4.ip_unprivileged_port_start", null),
        ("net.ipv4.ip_local_reserved_ports", new Version(3, 16)),
        ("net.ipv4.tcp_keepalive_time", new Version(4, 5)),
        ("net.ipv4.tcp_fin_timeout", new Version(4, 6)),
        ("net.ipv4.tcp_keepalive_intvl", new Version(4, 5)),
        ("net.ipv4.tcp_keepalive_probes", new Version(4, 5)),
        ("net.ipv4.tcp_rmem", new Version(4, 15)),
        ("net.ipv4.tcp_wmem", new Version(4, 15)),
    ];

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _prefixes = new(StringComparer.Ordinal);

    /// <summary>The safe set for <paramref name="kernel"/> (this machine's when null) plus <paramref name="allowedUnsafe"/>.</summary>
    /// <exception cref="ArgumentException">A pattern that is not a namespaced sysctl (as the kubelet refuses to start).</exception>
    public SysctlAdmission(IEnumerable<string>? allowedUnsafe = null, Version? kernel = null)
    {
        kernel ??= Environment.OSVersion.Version;
        foreach (var name in SafeSysctls(kernel))
        {
            Add(name);
        }

        foreach (var pattern in allowedUnsafe ?? [])
        {
            Add(pattern);
        }
    }

    /// <summary>The safe sysctls for <paramref name="kernel"/>.</summary>
    public static IReadOnlyList<string> SafeSysctls(Version kernel) => [.. Safe.Where(s => s.Kernel is null || kernel >= s.Kernel).Select(s => s.Name)];

    /// <summary>The namespace of a sysctl ("ipc", "net"), or null when it is not namespaced (Kubernetes' sysctl.GetNamespace).</summary>
    public static string? Namespace(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        name = NormalizeName(name);
        if (name == "kernel.sem" || name.StartsWith("kernel.shm", StringComparison.Ordinal) || name.StartsWith("kernel.msg", StringComparison.Ordinal) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal))
        {
            return Ipc;
        }

        return name.StartsWith("net.", StringComparison.Ordinal) ? Net : null;
    }

    /// <summary>A sysctl name written with slashes (net/ipv4/ip_forward) in dotted form (Kubernetes' NormalizeName).</summary>
    public static string NormalizeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var first = name.IndexOfAny(['.', '/']);
        if (first < 0 || name[first] == '.')
        {
            return name;
        }

        return string.Create(name.Length, name, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] switch { '.' => '/', '/' => '.', var c => c };
            }
        });
    }

    /// <inheritdoc/>
    public PodAdmitResult Admit(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var sysctl in pod.Spec.SecurityContext?.Sysctls ?? [])
        {
            if (Validate(sysctl.Name ?? string.Empty, pod.Spec.HostNetwork == true, pod.Spec.HostIPC == true) is { } error)
            {
                return new PodAdmitResult(false, ForbiddenReason, "forbidden sysctl: " + error);
            }
        }

        return PodAdmitResult.Admitted;
    }

    private string? Validate(string sysctl, bool hostNetwork, bool hostIpc)
    {
        sysctl = NormalizeName(sysctl);
        if (!_names.TryGetValue(sysctl, out var ns))
        {
            ns = _prefixes.Where(p => sysctl.StartsWith(p.Key, StringComparison.Ordinal)).Select(p => p.Value).FirstOrDefault();
            if (ns is null)
            {
                return $"\"{sysctl}\" not allowlisted";
            }
        }

        if ((ns == Ipc && hostIpc) || (ns == Net && hostNetwork))
        {
            return $"\"{sysctl}\" not allowed with host {ns} enabled";
        }

        return null;
    }

    private void Add(string pattern)
    {
        var prefix = pattern.EndsWith('*');
        var name = NormalizeName(prefix ? pattern[..^1] : pattern);
        var ns = Namespace(prefix && name.Length > 0 && !name.EndsWith('.') ? name + "." : name)
            ?? throw new ArgumentException($"the sysctl \"{pattern}\" is not known to be namespaced", nameof(pattern));
        if (prefix)
        {
            _prefixes[name] = ns;
        }
        else
        {
            _names[name] = ns;
        }
    }
}
