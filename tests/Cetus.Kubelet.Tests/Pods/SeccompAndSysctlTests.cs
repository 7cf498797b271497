using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;
using ProfileType = Cetus.Cri.V1.SecurityProfile.Types.ProfileType;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>seccompProfile and sysctls into the CRI configs, and the node's sysctl admission.</summary>
public sealed class SeccompAndSysctlTests : IDisposable
{
    private readonly PodSpecFixture _node = new(admitHandlers: [new SysctlAdmission(["kernel.msg*", "net.core.somaxconn"], new Version(6, 1))]);

    public void Dispose() => _node.Dispose();

    private string SeccompDir => Path.Combine(_node.Root, "seccomp");

    [Fact]
    public async Task NoProfile_IsUnconfined_ForSandboxAndContainers()
    {
        await _node.RunAsync(Pod("web"));

        var container = (await _node.ContainerConfigAsync("app")).Linux.SecurityContext;
        var sandbox = (await _node.SandboxConfigAsync()).Linux.SecurityContext;
        Assert.Equal((ProfileType.Unconfined, "unconfined"), (container.Seccomp.ProfileType, container.SeccompProfilePath));
        Assert.Equal((ProfileType.Unconfined, "unconfined"), (sandbox.Seccomp.ProfileType, sandbox.SeccompProfilePath));
    }

    [Fact]
    public async Task ThePodsProfile_AppliesToSandboxAndContainers_AContainersOwnWins()
    {
        var own = Container("own");
        own.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Unconfined" } };
        var pod = Pod("web", containers: [Container("app"), own]);
        pod.Spec.SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } };

        await _node.RunAsync(pod);

        var app = (await _node.ContainerConfigAsync("app")).Linux.SecurityContext;
        Assert.Equal((ProfileType.RuntimeDefault, "runtime/default"), (app.Seccomp.ProfileType, app.SeccompProfilePath));
        Assert.Equal(ProfileType.Unconfined, (await _node.ContainerConfigAsync("own")).Linux.SecurityContext.Seccomp.ProfileType);
        Assert.Equal(ProfileType.RuntimeDefault, (await _node.SandboxConfigAsync()).Linux.SecurityContext.Seccomp.ProfileType);
    }

    [Fact]
    public async Task ALocalhostProfile_IsAFileUnderTheKubeletsSeccompDirectory()
    {
        Directory.CreateDirectory(Path.Combine(SeccompDir, "profiles"));
        await File.WriteAllTextAsync(Path.Combine(SeccompDir, "profiles", "audit.json"), "{\"defaultAction\":\"SCMP_ACT_LOG\"}");
        var app = Container("app");
        app.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "profiles/audit.json" } };

        var pod = await _node.RunAsync(Pod("web", containers: [app]));

        var context = (await _node.ContainerConfigAsync("app")).Linux.SecurityContext;
        var path = Path.Combine(SeccompDir, "profiles", "audit.json");
        Assert.Equal((ProfileType.Localhost, path, "localhost/" + path), (context.Seccomp.ProfileType, context.Seccomp.LocalhostRef, context.SeccompProfilePath));
        Assert.NotNull(Assert.Single(pod.Status.ContainerStatuses).State.Running);
    }

    [Fact]
    public async Task AMissingLocalhostProfile_IsACreateContainerError_AndNoContainerIsCreated()
    {
        var app = Container("app");
        app.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "missing.json" } };

        var pod = await _node.RunAsync(Pod("web", containers: [app]));

        var waiting = Assert.Single(pod.Status.ContainerStatuses).State.Waiting;
        var path = Path.Combine(SeccompDir, "missing.json");
        Assert.Equal("CreateContainerError", waiting.Reason);
        Assert.Equal($"failed to generate seccomp spec opts: cannot load seccomp profile \"{path}\": open {path}: no such file or directory", waiting.Message);
        Assert.Empty(await _node.Runtime.ListContainersAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task ARuntimeFailureToCreate_IsACreateContainerError_WithTheRuntimesMessage()
    {
        _node.Runtime.FailNext("CreateContainer", Grpc.Core.StatusCode.Unknown, "failed to create containerd container: boom");

        var pod = await _node.RunAsync(Pod("web"));

        var waiting = Assert.Single(pod.Status.ContainerStatuses).State.Waiting;
        Assert.Equal(("CreateContainerError", "failed to create containerd container: boom"), (waiting.Reason, waiting.Message));
    }

    [Fact]
    public async Task Sysctls_GoIntoTheSandboxConfig_InDottedForm()
    {
        var pod = Pod("web");
        pod.Spec.SecurityContext = new V1PodSecurityContext
        {
            Sysctls = [new V1Sysctl { Name = "net.ipv4.ip_unprivileged_port_start", Value = "80" }, new V1Sysctl { Name = "kernel/shm_rmid_forced", Value = "1" }],
        };

        var stored = await _node.RunAsync(pod);

        Assert.Equal("Running", stored.Status.Phase);
        var sysctls = (await _node.SandboxConfigAsync()).Linux.Sysctls;
        Assert.Equal(new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "80", ["kernel.shm_rmid_forced"] = "1" }, sysctls);
    }

    [Theory]
    [InlineData("kernel.msgmax", false, "")]
    [InlineData("net.core.somaxconn", false, "")]
    [InlineData("net.ipv4.tcp_rmem", false, "")]
    [InlineData("kernel.sem", false, "forbidden sysctl: \"kernel.sem\" not allowlisted")]
    [InlineData("vm.swappiness", false, "forbidden sysctl: \"vm.swappiness\" not allowlisted")]
    [InlineData("net.core.somaxconn", true, "forbidden sysctl: \"net.core.somaxconn\" not allowed with host net enabled")]
    [InlineData("net.ipv4.ip_unprivileged_port_start", true, "forbidden sysctl: \"net.ipv4.ip_unprivileged_port_start\" not allowed with host net enabled")]
    public void Admission_AllowsTheSafeSetAndTheNodesPatterns_OnlyInThePodsOwnNamespaces(string name, bool hostNetwork, string message)
    {
        var admission = new SysctlAdmission(["kernel.msg*", "net.core.somaxconn"], new Version(6, 1));
        var pod = Pod("web");
        pod.Spec.HostNetwork = hostNetwork;
        pod.Spec.SecurityContext = new V1PodSecurityContext { Sysctls = [new V1Sysctl { Name = name, Value = "1" }] };

        var result = admission.Admit(pod);

        Assert.Equal(message.Length == 0, result.Admit);
        Assert.Equal(message, result.Message);
        Assert.Equal(message.Length == 0 ? string.Empty : SysctlAdmission.ForbiddenReason, result.Reason);
    }

    [Fact]
    public void TheSafeSet_DependsOnTheKernel_AndUnsafePatternsMustBeNamespaced()
    {
        Assert.DoesNotContain("net.ipv4.tcp_rmem", SysctlAdmission.SafeSysctls(new Version(4, 14)));
        Assert.Contains("net.ipv4.tcp_rmem", SysctlAdmission.SafeSysctls(new Version(4, 15)));
        Assert.Equal(5, SysctlAdmission.SafeSysctls(new Version(3, 10)).Count);
        Assert.Throws<ArgumentException>(() => new SysctlAdmission(["vm.swappiness"]));
        Assert.Throws<ArgumentException>(() => new SysctlAdmission(["kernel.*"]));
        _ = new SysctlAdmission(["net.*", "fs.mqueue.*", "kernel.shm*", "kernel.sem"]);
    }

    [Fact]
    public async Task APodWithAForbiddenSysctl_IsRejected_FailedWithSysctlForbidden_AndNeverRuns()
    {
        var pod = Pod("web");
        pod.Spec.SecurityContext = new V1PodSecurityContext { Sysctls = [new V1Sysctl { Name = "kernel.domainname", Value = "x" }] };

        var stored = await _node.RunAsync(pod);

        Assert.Equal(("Failed", "SysctlForbidden"), (stored.Status.Phase, stored.Status.Reason));
        Assert.Equal("Pod was rejected: forbidden sysctl: \"kernel.domainname\" not allowlisted", stored.Status.Message);
        Assert.Equal("BestEffort", stored.Status.QosClass);
        Assert.Empty(await _node.Runtime.ListPodSandboxAsync(null, CancellationToken.None));

        // Later syncs leave it failed and never start it.
        stored = await _node.RunAsync(stored);
        Assert.Equal("Failed", stored.Status.Phase);
        Assert.Empty(await _node.Runtime.ListPodSandboxAsync(null, CancellationToken.None));
    }
}
