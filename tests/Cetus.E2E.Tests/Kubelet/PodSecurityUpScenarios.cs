using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>A real <c>cetus up --allowed-unsafe-sysctls kernel.msg*</c> on a fake runtime served over CRI by the test.</summary>
public sealed class PodSecurityUpFixture : IAsyncLifetime
{
    public const string NodeName = "e2e-podsec-node";

    public FakeCriServer Cri { get; private set; } = null!;

    public CetusServerProcess Up { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cri = await FakeCriServer.StartAsync(new FakeRuntime(new FakeRuntimeOptions { PodIPPrefix = "10.43.0." }));
        Up = await CetusServerProcess.StartUpAsync(Cri.Endpoint, NodeName, arguments: ["--allowed-unsafe-sysctls", "kernel.msg*"]);
        // The tests create pods in "default" at once: admission refuses them until the account exists.
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Up.Kubeconfig));
        await Scheduler.SchedulerScenarios.WaitForDefaultServiceAccountAsync(client, "default");
    }

    public async Task DisposeAsync()
    {
        await Up.DisposeAsync();
        await Cri.DisposeAsync();
    }
}

/// <summary>
/// Pod security through the real binary and kubectl: sysctls reach the sandbox config, the node's sysctl admission
/// (safe set + the flag) rejects the rest with SysctlForbidden as kubectl shows it, and seccomp profiles reach the
/// sandbox and container configs.
/// </summary>
public sealed class PodSecurityUpScenarios(PodSecurityUpFixture fixture) : IClassFixture<PodSecurityUpFixture>, IDisposable
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Up.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Sysctls_SafeAndFlagAllowedRun_OthersAreSysctlForbidden_AndSeccompReachesTheRuntime()
    {
        var apply = await Kubectl.RunWithInputAsync(fixture.Up.Kubeconfig, """
            apiVersion: v1
            kind: Pod
            metadata: {name: allowed}
            spec:
              nodeName: e2e-podsec-node
              securityContext:
                seccompProfile: {type: RuntimeDefault}
                sysctls:
                - {name: net.ipv4.ip_unprivileged_port_start, value: "80"}
                - {name: kernel.msgmax, value: "65536"}
              containers:
              - name: app
                image: busybox:1.36
                securityContext:
                  seccompProfile: {type: Unconfined}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: forbidden}
            spec:
              nodeName: e2e-podsec-node
              securityContext:
                sysctls: [{name: kernel.sem, value: "250 32000 100 128"}]
              containers:
              - name: app
                image: busybox:1.36
            """, "apply", "-n", Ns, "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var allowed = await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync("allowed", Ns), p => p.Status?.Phase == "Running", "the allowed pod Running", Patience);
        var forbidden = await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync("forbidden", Ns), p => p.Status?.Phase == "Failed", "the forbidden pod Failed", Patience);
        Assert.Equal(("SysctlForbidden", "Pod was rejected: forbidden sysctl: \"kernel.sem\" not allowlisted"), (forbidden.Status.Reason, forbidden.Status.Message));
        var get = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "get", "pod", "forbidden", "-n", Ns);
        Assert.Matches(@"forbidden\s+0/1\s+SysctlForbidden\s+", get.Stdout);

        var uid = allowed.Metadata.Uid;
        var sandbox = (await fixture.Cri.Runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } }, CancellationToken.None)).Single();
        var sandboxConfig = fixture.Cri.Runtime.SandboxConfigOf(sandbox.Id)!;
        Assert.Equal(new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "80", ["kernel.msgmax"] = "65536" }, sandboxConfig.Linux.Sysctls);
        Assert.Equal(SecurityProfile.Types.ProfileType.RuntimeDefault, sandboxConfig.Linux.SecurityContext.Seccomp.ProfileType);
        var container = (await fixture.Cri.Runtime.ListContainersAsync(new ContainerFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } }, CancellationToken.None)).Single();
        Assert.Equal(SecurityProfile.Types.ProfileType.Unconfined, fixture.Cri.Runtime.ContainerConfigOf(container.Id)!.Linux.SecurityContext.Seccomp.ProfileType);
        var forbiddenSandboxes = await fixture.Cri.Runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = forbidden.Metadata.Uid } }, CancellationToken.None);
        Assert.Empty(forbiddenSandboxes);
    }
}
