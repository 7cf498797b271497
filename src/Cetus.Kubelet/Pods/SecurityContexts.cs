using Cetus.Cri.V1;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// Pod and container security contexts → CRI (Kubernetes' securitycontext.DetermineEffectiveSecurityContext and the
/// kuberuntime converters): the container's settings win over the pod's for runAsUser, runAsGroup and runAsNonRoot;
/// supplemental groups are the pod's plus fsGroup; allowPrivilegeEscalation false sets no_new_privs; unprivileged
/// containers get the kubelet's default masked and read-only /proc and /sys paths.
/// </summary>
public static class SecurityContexts
{
    // pkg/securitycontext/util.go defaults (procMount Default).
    private static readonly string[] DefaultMaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    private static readonly string[] DefaultReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The pod's namespaces: hostNetwork/hostPID/hostIPC → NODE; the pid namespace is the pod's with shareProcessNamespace, else each container's own.</summary>
    public static NamespaceOption Namespaces(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new NamespaceOption
        {
            Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
            Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
        };
    }

    /// <summary>The sandbox's security context.</summary>
    public static LinuxSandboxSecurityContext Sandbox(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var podContext = pod.Spec.SecurityContext;
        var context = new LinuxSandboxSecurityContext
        {
            NamespaceOptions = Namespaces(pod.Spec),
            Privileged = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []).Any(c => c.SecurityContext?.Privileged == true),
            RunAsUser = podContext?.RunAsUser is { } user ? new Int64Value { Value = user } : null,
            RunAsGroup = podContext?.RunAsGroup is { } group ? new Int64Value { Value = group } : null,
        };
        context.SupplementalGroups.AddRange(SupplementalGroups(podContext));
        return context;
    }

    /// <summary>The container's security context, the pod's merged in.</summary>
    public static LinuxContainerSecurityContext Container(V1Pod pod, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var podContext = pod.Spec.SecurityContext;
        var own = container.SecurityContext;
        var privileged = own?.Privileged == true;
        var context = new LinuxContainerSecurityContext
        {
            Privileged = privileged,
            ReadonlyRootfs = own?.ReadOnlyRootFilesystem == true,
            RunAsUser = (own?.RunAsUser ?? podContext?.RunAsUser) is { } user ? new Int64Value { Value = user } : null,
            RunAsGroup = (own?.RunAsGroup ?? podContext?.RunAsGroup) is { } group ? new Int64Value { Value = group } : null,
            NoNewPrivs = own?.AllowPrivilegeEscalation == false,
            NamespaceOptions = Namespaces(pod.Spec),
        };
        if (own?.Capabilities is { } capabilities)
        {
            context.Capabilities = new Capability
            {
                AddCapabilities = { capabilities.Add ?? [] },
                DropCapabilities = { capabilities.Drop ?? [] },
            };
        }

        context.SupplementalGroups.AddRange(SupplementalGroups(podContext));
        if (!privileged && own?.ProcMount != "Unmasked")
        {
            context.MaskedPaths.AddRange(DefaultMaskedPaths);
            context.ReadonlyPaths.AddRange(DefaultReadonlyPaths);
        }

        return context;
    }

    /// <summary>
    /// The kubelet's runAsNonRoot check against the effective user (the image's when none is set; an image without a
    /// user runs as root): null when allowed, else the message of the CreateContainerConfigError.
    /// </summary>
    public static string? VerifyRunAsNonRoot(V1Pod pod, V1Container container, long? imageUid, string? imageUser)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var runAsNonRoot = container.SecurityContext?.RunAsNonRoot ?? pod.Spec.SecurityContext?.RunAsNonRoot;
        if (runAsNonRoot != true)
        {
            return null;
        }

        var podName = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
        if ((container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser) is { } user)
        {
            return user == 0 ? $"container's runAsUser breaks non-root policy (pod: \"{podName}\", container: {container.Name})" : null;
        }

        if (imageUid is null && !string.IsNullOrEmpty(imageUser))
        {
            return $"container has runAsNonRoot and image has non-numeric user ({imageUser}), cannot verify user is non-root (pod: \"{podName}\", container: {container.Name})";
        }

        return (imageUid ?? 0) == 0 ? $"container has runAsNonRoot and image will run as root (pod: \"{podName}\", container: {container.Name})" : null;
    }

    private static IEnumerable<long> SupplementalGroups(V1PodSecurityContext? podContext)
    {
        var groups = (podContext?.SupplementalGroups ?? []).OfType<long>().ToList();
        if (podContext?.FsGroup is { } fsGroup)
        {
            groups.Add(fsGroup);
        }

        return groups.Distinct();
    }
}
