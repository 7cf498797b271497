using Cetus.Cri.V1;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// seccompProfile → CRI (Kubernetes' kuberuntime getSeccompProfile): the container's profile wins over the pod's;
/// none set is Unconfined (the kubelet's SeccompDefault is off); Localhost profiles are files under the kubelet's
/// seccomp directory (ROOT/seccomp), given to the runtime as an absolute path. The structured <c>seccomp</c> field is
/// what runtimes read (containerd 1.6 prefers it when set); the deprecated path string is set alike for older ones.
/// </summary>
public static class SeccompProfiles
{
    /// <summary>The kubelet's seccomp profile directory under its root directory.</summary>
    public const string DirectoryName = "seccomp";

    /// <summary>The seccomp directory of a kubelet with root directory <paramref name="rootDirectory"/>.</summary>
    public static string Root(string rootDirectory) => Path.Combine(rootDirectory, DirectoryName);

    /// <summary>The profile of a container (or of the sandbox, with <paramref name="container"/> null).</summary>
    /// <exception cref="ContainerConfigException">A Localhost profile without localhostProfile.</exception>
    public static SecurityProfile For(V1PodSecurityContext? pod, V1SecurityContext? container, string profileRoot)
    {
        var profile = container?.SeccompProfile ?? pod?.SeccompProfile;
        return profile?.Type switch
        {
            "RuntimeDefault" => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
            "Localhost" when string.IsNullOrEmpty(profile.LocalhostProfile) => throw new ContainerConfigException("localhostProfile must be set if seccompProfile type is Localhost."),
            "Localhost" => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = Path.Combine(profileRoot, profile.LocalhostProfile) },
            _ => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined },
        };
    }

    /// <summary>The deprecated seccomp_profile_path form of <paramref name="profile"/>.</summary>
    public static string LegacyPath(SecurityProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.ProfileType switch
        {
            SecurityProfile.Types.ProfileType.RuntimeDefault => "runtime/default",
            SecurityProfile.Types.ProfileType.Localhost => "localhost/" + profile.LocalhostRef,
            _ => "unconfined",
        };
    }

    /// <summary>Sets the container's profile on its config.</summary>
    public static void Apply(LinuxContainerSecurityContext context, V1Pod pod, V1Container container, string profileRoot)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        context.Seccomp = For(pod.Spec.SecurityContext, container.SecurityContext, profileRoot);
        context.SeccompProfilePath = LegacyPath(context.Seccomp);
    }

    /// <summary>Sets the sandbox's profile (the pod's) on its config; a Localhost profile without a name leaves the default.</summary>
    public static void Apply(LinuxSandboxSecurityContext context, V1Pod pod, string profileRoot)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            context.Seccomp = For(pod.Spec.SecurityContext, null, profileRoot);
            context.SeccompProfilePath = LegacyPath(context.Seccomp);
        }
        catch (ContainerConfigException)
        {
            // Validation refuses this; the containers report it.
        }
    }

    /// <summary>
    /// The message of the CreateContainerError when a Localhost profile's file is missing (the runtime's own
    /// failure, checked before asking it); null when the profile is usable.
    /// </summary>
    public static string? MissingProfile(SecurityProfile? profile)
    {
        if (profile is not { ProfileType: SecurityProfile.Types.ProfileType.Localhost } || File.Exists(profile.LocalhostRef))
        {
            return null;
        }

        return $"failed to generate seccomp spec opts: cannot load seccomp profile \"{profile.LocalhostRef}\": open {profile.LocalhostRef}: no such file or directory";
    }
}
