using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Volumes;

/// <summary>Pod volumes written under the kubelet's root directory, and the mounts the runtime receives.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VolumeTests : IDisposable
{
    private static readonly int Mode644 = Convert.ToInt32("644", 8);
    private readonly PodSpecFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task EmptyDir_IsOneDirectoryMountedInEveryContainer_WithSubPathCreated()
    {
        var writer = Container("writer");
        writer.VolumeMounts = [new V1VolumeMount { Name = "shared", MountPath = "/data" }];
        var reader = Container("reader");
        reader.VolumeMounts = [new V1VolumeMount { Name = "shared", MountPath = "/in", ReadOnlyProperty = true, SubPath = "out/logs" }];
        var pod = Pod("web", containers: [writer, reader]);
        pod.Spec.Volumes = [new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() }];
        await _node.RunAsync(pod);

        var dir = _node.VolumeDir(pod, "kubernetes.io~empty-dir", "shared");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, File.GetUnixFileMode(dir));
        var w = (await _node.ContainerConfigAsync("writer")).Mounts.Single(m => m.ContainerPath == "/data");
        var r = (await _node.ContainerConfigAsync("reader")).Mounts.Single(m => m.ContainerPath == "/in");
        Assert.Equal((dir, false, MountPropagation.PropagationPrivate), (w.HostPath, w.Readonly, w.Propagation));
        Assert.Equal((Path.Combine(dir, "out/logs"), true), (r.HostPath, r.Readonly));
        Assert.True(Directory.Exists(Path.Combine(dir, "out/logs")));
        Assert.Empty(_node.Mounter.Calls);
    }

    [Fact]
    public async Task MemoryEmptyDir_IsATmpfs_OfTheSmallestOfSizeLimitPodLimitAndNodeMemory_UnmountedOnRemoval()
    {
        var pod = Pod("web", containers: [Container("app", limitMemory: "256Mi")]);
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "small", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("64Mi") } },
            new V1Volume { Name = "big", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Gi") } },
        ];
        await _node.RunAsync(pod);

        var small = _node.VolumeDir(pod, "kubernetes.io~empty-dir", "small");
        var big = _node.VolumeDir(pod, "kubernetes.io~empty-dir", "big");
        Assert.Equal([$"mount tmpfs {small} size={64 << 20}", $"mount tmpfs {big} size={256 << 20}"], _node.Mounter.Calls);

        await _node.Sync.ForgetAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.Equal(new[] { $"umount {small}", $"umount {big}" }.Order(StringComparer.Ordinal), _node.Mounter.Calls.Skip(2).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_node.Root, "pods", pod.Metadata.Uid)));
    }

    [Fact]
    public async Task ConfigMapVolume_WritesKeysAsFiles_ItemsWithPathsAndModes_AndRewritesOnChange()
    {
        _node.Client.AddConfigMap("settings", new() { ["a.conf"] = "A", ["b.conf"] = "B" });
        var app = Container("app");
        app.VolumeMounts = [new V1VolumeMount { Name = "all", MountPath = "/etc/all" }, new V1VolumeMount { Name = "some", MountPath = "/etc/some" }];
        var pod = Pod("web", containers: [app]);
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "all", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } },
            new V1Volume { Name = "some", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings", DefaultMode = Convert.ToInt32("600", 8), Items = [new V1KeyToPath { Key = "b.conf", Path = "nested/b", Mode = Convert.ToInt32("440", 8) }] } },
        ];
        await _node.RunAsync(pod);

        var all = _node.VolumeDir(pod, "kubernetes.io~configmap", "all");
        var some = _node.VolumeDir(pod, "kubernetes.io~configmap", "some");
        Assert.Equal("A", File.ReadAllText(Path.Combine(all, "a.conf")));
        Assert.Equal("B", File.ReadAllText(Path.Combine(all, "b.conf")));
        Assert.Equal(Mode644, (int)File.GetUnixFileMode(Path.Combine(all, "..data", "a.conf")));
        Assert.Equal(["..data", "nested"], Directory.EnumerateFileSystemEntries(some).Select(Path.GetFileName).Where(n => !n!.StartsWith("..2", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(Convert.ToInt32("440", 8), (int)File.GetUnixFileMode(Path.Combine(some, "..data", "nested", "b")));
        Assert.All((await _node.ContainerConfigAsync("app")).Mounts.Where(m => m.ContainerPath.StartsWith("/etc/", StringComparison.Ordinal) && m.ContainerPath != "/etc/hosts"), m => Assert.True(m.Readonly));

        _node.Client.AddConfigMap("settings", new() { ["a.conf"] = "A2" });
        _node.Time.Advance(TimeSpan.FromSeconds(30));
        await _node.RunAsync(pod);
        Assert.Equal("A2", File.ReadAllText(Path.Combine(all, "a.conf")));
        Assert.False(Path.Exists(Path.Combine(all, "b.conf")));
        Assert.Single(Directory.EnumerateDirectories(all, "..2026_*"));
    }

    [Fact]
    public async Task RunningPod_IsSyncedAgainWithinTheSyncFrequency_SoAChangedConfigMapReachesItWithoutOtherEvents()
    {
        _node.Client.AddConfigMap("settings", new() { ["a.conf"] = "A" });
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }];
        await _node.RunAsync(pod);

        // Nothing waits on a backoff: the pod still comes back after the kubelet's sync frequency (1 minute).
        var outcome = await _node.Sync.SyncPodAsync(_node.Client.Pod("web"), CancellationToken.None);
        Assert.Equal(PodSync.SyncFrequency, outcome.ResyncAfter);

        _node.Client.AddConfigMap("settings", new() { ["a.conf"] = "A2" });
        _node.Time.Advance(PodSync.SyncFrequency);
        await _node.Sync.SyncPodAsync(_node.Client.Pod("web"), CancellationToken.None);
        Assert.Equal("A2", File.ReadAllText(Path.Combine(_node.VolumeDir(pod, "kubernetes.io~configmap", "cfg"), "a.conf")));
    }

    [Fact]
    public async Task MissingConfigMapVolume_KeepsThePodCreating_UntilItExists_OptionalOneIsEmpty()
    {
        var pod = Pod("web");
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "later" } },
            new V1Volume { Name = "opt", ConfigMap = new V1ConfigMapVolumeSource { Name = "never", Optional = true } },
        ];
        var status = (await _node.RunAsync(pod)).Status;

        Assert.Equal(0, _node.Runtime.SandboxCount);
        var waiting = Assert.Single(status.ContainerStatuses).State.Waiting;
        Assert.Equal(("ContainerCreating", "MountVolume.SetUp failed for volume \"cfg\" : configmap \"later\" not found"), (waiting.Reason, waiting.Message));

        _node.Client.AddConfigMap("later", new() { ["k"] = "v" });
        status = (await _node.RunAsync(pod)).Status;
        Assert.NotNull(Assert.Single(status.ContainerStatuses).State.Running);
        Assert.Equal(["..data"], Directory.EnumerateFileSystemEntries(_node.VolumeDir(pod, "kubernetes.io~configmap", "opt")).Select(Path.GetFileName).Where(n => !n!.StartsWith("..2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SecretVolume_DefaultsTo0644_AndHonoursDefaultMode()
    {
        _node.Client.AddSecret("creds", new() { ["password"] = "s3cret" });
        var pod = Pod("web");
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "plain", Secret = new V1SecretVolumeSource { SecretName = "creds" } },
            new V1Volume { Name = "tight", Secret = new V1SecretVolumeSource { SecretName = "creds", DefaultMode = Convert.ToInt32("400", 8) } },
        ];
        await _node.RunAsync(pod);

        var plain = Path.Combine(_node.VolumeDir(pod, "kubernetes.io~secret", "plain"), "..data", "password");
        var tight = Path.Combine(_node.VolumeDir(pod, "kubernetes.io~secret", "tight"), "..data", "password");
        Assert.Equal("s3cret", File.ReadAllText(plain));
        Assert.Equal(Mode644, (int)File.GetUnixFileMode(plain));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(tight));
    }

    [Fact]
    public async Task DownwardApiVolume_WritesFieldsAndResources()
    {
        var pod = Pod("web", containers: [Container("app", limitCpu: "500m", limitMemory: "64Mi")]);
        pod.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web \"x\"" };
        pod.Spec.Volumes =
        [
            new V1Volume
            {
                Name = "info",
                DownwardAPI = new V1DownwardAPIVolumeSource
                {
                    Items =
                    [
                        new V1DownwardAPIVolumeFile { Path = "name", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } },
                        new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
                        new V1DownwardAPIVolumeFile { Path = "cpu", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "app", Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") } },
                        new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "app", Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } },
                    ],
                },
            },
        ];
        await _node.RunAsync(pod);

        var dir = _node.VolumeDir(pod, "kubernetes.io~downward-api", "info");
        Assert.Equal("web", File.ReadAllText(Path.Combine(dir, "name")));
        Assert.Equal("app=\"web \\\"x\\\"\"\ntier=\"front\"\n", File.ReadAllText(Path.Combine(dir, "labels")));
        Assert.Equal("500", File.ReadAllText(Path.Combine(dir, "cpu")));
        Assert.Equal("64", File.ReadAllText(Path.Combine(dir, "mem")));
    }

    [Fact]
    public async Task ServiceAccountTokenVolume_AsAdmissionAddsIt_HasTokenCaAndNamespace_RefreshedAt80PercentOfItsLife()
    {
        _node.Client.AddConfigMap("kube-root-ca.crt", new() { ["ca.crt"] = "-----BEGIN CERTIFICATE-----" });
        var app = Container("app");
        app.VolumeMounts = [new V1VolumeMount { Name = "kube-api-access-abcde", MountPath = "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnlyProperty = true }];
        var pod = Pod("web", containers: [app]);
        pod.Spec.ServiceAccountName = "robot";
        pod.Spec.Volumes =
        [
            new V1Volume
            {
                Name = "kube-api-access-abcde",
                Projected = new V1ProjectedVolumeSource
                {
                    DefaultMode = Mode644,
                    Sources =
                    [
                        new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = 3607, Path = "token" } },
                        new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                        new V1VolumeProjection { DownwardAPI = new V1DownwardAPIProjection { Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } }] } },
                    ],
                },
            },
            new V1Volume
            {
                Name = "vault",
                Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Audience = "vault", ExpirationSeconds = 600, Path = "vault/token" } }] },
            },
        ];
        await _node.RunAsync(pod);

        var dir = _node.VolumeDir(pod, "kubernetes.io~projected", "kube-api-access-abcde");
        Assert.Equal("token-1-robot-", File.ReadAllText(Path.Combine(dir, "token")));
        Assert.Equal("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(dir, "ca.crt")));
        Assert.Equal("default", File.ReadAllText(Path.Combine(dir, "namespace")));
        Assert.Equal("token-2-robot-vault", File.ReadAllText(Path.Combine(_node.VolumeDir(pod, "kubernetes.io~projected", "vault"), "vault", "token")));
        Assert.Equal([("default", "robot", 3607L, "web", "uid-web"), ("default", "robot", 600L, "web", "uid-web")], _node.Client.TokenRequests.Select(t => (t.Namespace, t.ServiceAccount, t.ExpirationSeconds, t.PodName, t.PodUid)));
        Assert.Equal(["vault"], _node.Client.TokenRequests[1].Audiences);
        var mount = (await _node.ContainerConfigAsync("app")).Mounts.Single(m => m.ContainerPath == "/var/run/secrets/kubernetes.io/serviceaccount");
        Assert.Equal((dir, true), (mount.HostPath, mount.Readonly));

        // Before 80 % of 600 s: the same tokens; after: the short-lived one is requested again and rewritten.
        _node.Time.Advance(TimeSpan.FromSeconds(470));
        await _node.RunAsync(pod);
        Assert.Equal(2, _node.Client.TokenRequests.Count);
        _node.Time.Advance(TimeSpan.FromSeconds(20));
        await _node.RunAsync(pod);
        Assert.Equal(3, _node.Client.TokenRequests.Count);
        Assert.Equal("token-3-robot-vault", File.ReadAllText(Path.Combine(_node.VolumeDir(pod, "kubernetes.io~projected", "vault"), "vault", "token")));
        Assert.Equal("token-1-robot-", File.ReadAllText(Path.Combine(dir, "token")));
    }

    [Fact]
    public async Task HostPath_TypeChecks_CreateOrRefuse()
    {
        var existingFile = Path.Combine(_node.Root, "host-file");
        await File.WriteAllTextAsync(existingFile, "x");
        var created = Path.Combine(_node.Root, "host", "made");
        var pod = Pod("web");
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "dir", HostPath = new V1HostPathVolumeSource { Path = created, Type = "DirectoryOrCreate" } },
            new V1Volume { Name = "file", HostPath = new V1HostPathVolumeSource { Path = existingFile, Type = "File" } },
            new V1Volume { Name = "new-file", HostPath = new V1HostPathVolumeSource { Path = Path.Combine(_node.Root, "new-file"), Type = "FileOrCreate" } },
        ];
        await _node.RunAsync(pod);
        Assert.True(Directory.Exists(created));
        Assert.True(File.Exists(Path.Combine(_node.Root, "new-file")));
        Assert.Equal(1, _node.Runtime.SandboxCount);

        var bad = Pod("bad");
        bad.Spec.Volumes = [new V1Volume { Name = "sock", HostPath = new V1HostPathVolumeSource { Path = existingFile, Type = "Directory" } }];
        var status = (await _node.RunAsync(bad)).Status;
        Assert.Equal($"MountVolume.SetUp failed for volume \"sock\" : hostPath type check failed: {existingFile} is not a directory", Assert.Single(status.ContainerStatuses).State.Waiting.Message);
    }

    [Theory]
    [InlineData("/abs", "error SubPath `/abs` must not be an absolute path")]
    [InlineData("a/../../etc", "unable to provision SubPath `a/../../etc`: must not contain '..'")]
    public async Task BadSubPath_IsACreateContainerConfigError(string subPath, string message)
    {
        var app = Container("app");
        app.VolumeMounts = [new V1VolumeMount { Name = "v", MountPath = "/v", SubPath = subPath }];
        var pod = Pod("web", containers: [app]);
        pod.Spec.Volumes = [new V1Volume { Name = "v", EmptyDir = new V1EmptyDirVolumeSource() }];
        var waiting = Assert.Single((await _node.RunAsync(pod)).Status.ContainerStatuses).State.Waiting;
        Assert.Equal(("CreateContainerConfigError", message), (waiting.Reason, waiting.Message));
    }

    [Fact]
    public async Task SubPathExpr_ExpandsTheContainersEnv()
    {
        var app = Container("app");
        app.Env = [new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
        app.VolumeMounts = [new V1VolumeMount { Name = "v", MountPath = "/logs", SubPathExpr = "logs/$(POD)" }];
        var pod = Pod("web", containers: [app]);
        pod.Spec.Volumes = [new V1Volume { Name = "v", EmptyDir = new V1EmptyDirVolumeSource() }];
        await _node.RunAsync(pod);

        var mount = (await _node.ContainerConfigAsync("app")).Mounts.Single(m => m.ContainerPath == "/logs");
        Assert.Equal(Path.Combine(_node.VolumeDir(pod, "kubernetes.io~empty-dir", "v"), "logs", "web"), mount.HostPath);
        Assert.True(Directory.Exists(mount.HostPath));
    }

    [Fact]
    public async Task Removal_DeletesThePodsDirectory()
    {
        _node.Client.AddConfigMap("settings", new() { ["k"] = "v" });
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }, new V1Volume { Name = "e", EmptyDir = new V1EmptyDirVolumeSource() }];
        await _node.RunAsync(pod);
        var podDir = Path.Combine(_node.Root, "pods", pod.Metadata.Uid);
        Assert.True(File.Exists(Path.Combine(podDir, "etc-hosts")));

        await _node.Sync.ForgetAsync(pod.Metadata.Uid, CancellationToken.None);

        Assert.False(Directory.Exists(podDir));
        Assert.Equal(0, _node.Runtime.SandboxCount);
    }

    [Fact]
    public async Task SimulatedNode_WritesNothing_AndGivesNominalPaths()
    {
        using var hollow = new PodSpecFixture(materialized: false);
        hollow.Client.AddConfigMap("settings", new() { ["k"] = "v" });
        var app = Container("app");
        app.VolumeMounts = [new V1VolumeMount { Name = "cfg", MountPath = "/cfg" }];
        var pod = Pod("web", containers: [app]);
        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }];
        await hollow.RunAsync(pod);

        Assert.Empty(Directory.EnumerateFileSystemEntries(hollow.Root));
        var mount = (await hollow.ContainerConfigAsync("app")).Mounts.Single(m => m.ContainerPath == "/cfg");
        Assert.Equal("/var/lib/kubelet/pods/uid-web/volumes/kubernetes.io~configmap/cfg", mount.HostPath);
        Assert.DoesNotContain(hollow.Client.Actions, a => a.StartsWith("get configmap", StringComparison.Ordinal));
    }
}
