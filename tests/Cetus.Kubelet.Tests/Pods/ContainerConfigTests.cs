using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>Resources, security contexts, /etc/hosts and termination messages in the ContainerConfig the runtime receives.</summary>
public sealed class ContainerConfigTests : IDisposable
{
    private readonly PodSpecFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Theory]
    [InlineData("250m", "500m", "128Mi", 256L, 50_000L, 134_217_728L)]
    [InlineData(null, "2", null, 2048L, 200_000L, 0L)]
    [InlineData(null, null, null, 2L, 0L, 0L)]
    [InlineData("1m", "1m", null, 2L, 1_000L, 0L)]
    public async Task Resources_BecomeCpuSharesQuotaAndMemoryLimit(string? cpu, string? limitCpu, string? limitMemory, long shares, long quota, long memory)
    {
        await _node.RunAsync(Pod("web", containers: [Container("app", cpu: cpu, limitCpu: limitCpu, limitMemory: limitMemory)]));

        var resources = (await _node.ContainerConfigAsync("app")).Linux.Resources;
        Assert.Equal((shares, quota, 100_000L, memory, 0L), (resources.CpuShares, resources.CpuQuota, resources.CpuPeriod, resources.MemoryLimitInBytes, resources.OomScoreAdj));
    }

    [Fact]
    public async Task SecurityContext_ContainerWinsOverPod_CapabilitiesAndNoNewPrivs()
    {
        var app = Container("app");
        app.SecurityContext = new V1SecurityContext
        {
            RunAsUser = 1000,
            ReadOnlyRootFilesystem = true,
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Add = ["NET_ADMIN"], Drop = ["ALL"] },
        };
        var root = Container("root");
        root.SecurityContext = new V1SecurityContext { Privileged = true };
        var pod = Pod("web", containers: [app, root]);
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = 2000, RunAsGroup = 3000, SupplementalGroups = [4000], FsGroup = 5000 };
        pod.Spec.ShareProcessNamespace = true;
        await _node.RunAsync(pod);

        var context = (await _node.ContainerConfigAsync("app")).Linux.SecurityContext;
        Assert.Equal((1000L, 3000L, true, true, false), (context.RunAsUser.Value, context.RunAsGroup.Value, context.ReadonlyRootfs, context.NoNewPrivs, context.Privileged));
        Assert.Equal(["NET_ADMIN"], context.Capabilities.AddCapabilities);
        Assert.Equal(["ALL"], context.Capabilities.DropCapabilities);
        Assert.Equal([4000L, 5000L], context.SupplementalGroups);
        Assert.Contains("/proc/kcore", context.MaskedPaths);
        Assert.Contains("/proc/sys", context.ReadonlyPaths);
        Assert.Equal((NamespaceMode.Pod, NamespaceMode.Pod, NamespaceMode.Pod), (context.NamespaceOptions.Network, context.NamespaceOptions.Pid, context.NamespaceOptions.Ipc));

        var privileged = (await _node.ContainerConfigAsync("root")).Linux.SecurityContext;
        Assert.Equal((2000L, true, false), (privileged.RunAsUser.Value, privileged.Privileged, privileged.NoNewPrivs));
        Assert.Empty(privileged.MaskedPaths);

        var sandbox = (await _node.SandboxConfigAsync()).Linux.SecurityContext;
        Assert.Equal((2000L, 3000L, true), (sandbox.RunAsUser.Value, sandbox.RunAsGroup.Value, sandbox.Privileged));
        Assert.Equal([4000L, 5000L], sandbox.SupplementalGroups);
    }

    [Theory]
    [InlineData(0L, null, "container's runAsUser breaks non-root policy (pod: \"web_default(uid-web)\", container: app)")]
    [InlineData(null, null, "container has runAsNonRoot and image will run as root (pod: \"web_default(uid-web)\", container: app)")]
    [InlineData(1000L, null, null)]
    public async Task RunAsNonRoot_IsCheckedAgainstTheEffectiveUser(long? runAsUser, string? unused, string? error)
    {
        _ = unused;
        var app = Container("app");
        app.SecurityContext = new V1SecurityContext { RunAsUser = runAsUser };
        var pod = Pod("web", containers: [app]);
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true };
        var status = Assert.Single((await _node.RunAsync(pod)).Status.ContainerStatuses);

        if (error is null)
        {
            Assert.NotNull(status.State.Running);
        }
        else
        {
            Assert.Equal((ContainerConfigException.Reason, error), (status.State.Waiting.Reason, status.State.Waiting.Message));
        }
    }

    [Fact]
    public async Task EtcHosts_IsTheManagedFile_WithThePodIPHostnameAndAliases_NotForHostNetwork()
    {
        var pod = Pod("web");
        pod.Spec.Hostname = "front";
        pod.Spec.HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["foo.local", "bar.local"] }];
        await _node.RunAsync(pod);

        var mount = (await _node.ContainerConfigAsync("app")).Mounts.Single(m => m.ContainerPath == "/etc/hosts");
        Assert.Equal(Path.Combine(_node.Root, "pods", "uid-web", "etc-hosts"), mount.HostPath);
        var hosts = await File.ReadAllTextAsync(mount.HostPath);
        Assert.StartsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", hosts, StringComparison.Ordinal);
        Assert.EndsWith("10.88.0.2\tfront\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n", hosts, StringComparison.Ordinal);

        var host = Pod("host");
        host.Spec.HostNetwork = true;
        await _node.RunAsync(host);
        var configs = await _node.Runtime.ListContainersAsync(null, CancellationToken.None);
        var hostConfig = _node.Runtime.ContainerConfigOf(configs.Single(c => c.Labels[CriLabels.PodName] == "host").Id)!;
        Assert.DoesNotContain(hostConfig.Mounts, m => m.ContainerPath == "/etc/hosts");
    }

    [Fact]
    public async Task TerminationMessage_FileIsMounted_AndItsContentIsTheTerminatedMessage()
    {
        var app = Container("app");
        app.TerminationMessagePath = "/tmp/done";
        var pod = Pod("web", "Never", containers: [app]);
        await _node.RunAsync(pod);

        var config = await _node.ContainerConfigAsync("app");
        var mount = config.Mounts.Single(m => m.ContainerPath == "/tmp/done");
        Assert.StartsWith(Path.Combine(_node.Root, "pods", "uid-web", "containers", "app") + "/", mount.HostPath, StringComparison.Ordinal);
        Assert.False(mount.Readonly);
        await File.WriteAllTextAsync(mount.HostPath, "all good");
        var id = (await _node.Runtime.ListContainersAsync(null, CancellationToken.None)).Single().Id;
        _node.Runtime.ExitContainer(id, 0);

        var terminated = Assert.Single((await _node.RunAsync(pod)).Status.ContainerStatuses).State.Terminated;
        Assert.Equal((0, "Completed", "all good"), (terminated.ExitCode, terminated.Reason, terminated.Message));
    }

    [Fact]
    public async Task DefaultTerminationMessagePath_IsDevTerminationLog()
    {
        await _node.RunAsync(Pod("web"));
        var config = await _node.ContainerConfigAsync("app");
        Assert.Contains(config.Mounts, m => m.ContainerPath == "/dev/termination-log");
        Assert.Equal("/dev/termination-log", config.Annotations["io.kubernetes.container.terminationMessagePath"]);
    }

    [Fact]
    public async Task TtyStdinWorkingDirAndLogPath_ArePassed()
    {
        var app = Container("app");
        app.Tty = true;
        app.Stdin = true;
        app.WorkingDir = "/work";
        await _node.RunAsync(Pod("web", containers: [app]));
        var config = await _node.ContainerConfigAsync("app");
        Assert.Equal((true, true, "/work", "app/0.log"), (config.Tty, config.Stdin, config.WorkingDir, config.LogPath));
    }
}
