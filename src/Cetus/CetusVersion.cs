using System.Runtime.InteropServices;

namespace Cetus;

/// <summary>
/// The version facts of this build: printed by <c>cetus version</c> and served by the
/// API server on <c>/version</c> (the fields of Kubernetes' <c>version.Info</c>).
/// </summary>
public static class CetusVersion
{
    /// <summary>The Cetus release, without the leading <c>v</c>.</summary>
    public const string Version = "0.1.0";

    /// <summary>The Kubernetes API version Cetus is compatible with.</summary>
    public const string KubernetesVersion = "v1.32.4";

    /// <summary>The Kubernetes major version, as <c>/version</c> reports it.</summary>
    public const string Major = "1";

    /// <summary>The Kubernetes minor version, as <c>/version</c> reports it.</summary>
    public const string Minor = "32";

    /// <summary>The <c>gitVersion</c> that <c>/version</c> reports: the Kubernetes version tagged with the Cetus release, as k3s does.</summary>
    public const string GitVersion = KubernetesVersion + "-cetus." + Version;

    /// <summary>The runtime this binary runs on, e.g. <c>.NET 10.0.0</c> (<c>goVersion</c>'s counterpart).</summary>
    public static string Runtime => RuntimeInformation.FrameworkDescription;

    /// <summary>The platform in Go's <c>GOOS/GOARCH</c> form, e.g. <c>linux/amd64</c>, as <c>/version</c> reports it.</summary>
    public static string Platform => $"{GoOs()}/{GoArch(RuntimeInformation.ProcessArchitecture)}";

    private static string GoOs() =>
        OperatingSystem.IsLinux() ? "linux"
        : OperatingSystem.IsMacOS() ? "darwin"
        : OperatingSystem.IsWindows() ? "windows"
        : OperatingSystem.IsFreeBSD() ? "freebsd"
        : "unknown";

    private static string GoArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.X86 => "386",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        Architecture.LoongArch64 => "loong64",
        _ => architecture.ToString().ToLowerInvariant(),
    };
}
