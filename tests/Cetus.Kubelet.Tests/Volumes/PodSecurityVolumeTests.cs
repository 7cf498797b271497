using System.Diagnostics;
using System.Globalization;
using Cetus.Kubelet.Volumes;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Volumes;

/// <summary>
/// Secret and projected volumes on tmpfs (a recording mounter, and one real mount as root), fsGroup ownership of the
/// volumes the kubelet manages, service account token ownership, and orphaned pod directories cleaned up.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodSecurityVolumeTests : IDisposable
{
    private const long FsGroup = 2345;
    private readonly PodSpecFixture _node = new();

    public void Dispose() => _node.Dispose();

    private static V1Pod PodWithVolumes()
    {
        var app = Container("app");
        app.VolumeMounts =
        [
            new V1VolumeMount { Name = "creds", MountPath = "/creds" },
            new V1VolumeMount { Name = "token", MountPath = "/var/run/secrets/tokens" },
            new V1VolumeMount { Name = "config", MountPath = "/config" },
            new V1VolumeMount { Name = "info", MountPath = "/info" },
            new V1VolumeMount { Name = "scratch", MountPath = "/scratch" },
        ];
        var pod = Pod("web", containers: [app]);
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds" } },
            new V1Volume { Name = "token", Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3600 } }] } },
            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } },
            new V1Volume { Name = "info", DownwardAPI = new V1DownwardAPIVolumeSource { Items = [new V1DownwardAPIVolumeFile { Path = "name", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } }] } },
            new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
        ];
        return pod;
    }

    private void AddObjects()
    {
        _node.Client.AddSecret("creds", new() { ["password"] = "s3cret" });
        _node.Client.AddConfigMap("settings", new() { ["level"] = "debug" });
    }

    // (gid, octal mode) of a path itself, as stat(1) reads them.
    private static (long Gid, string Mode) Stat(string path)
    {
        var output = StatFormat(path, "%g %a").Split(' ');
        return (long.Parse(output[0], CultureInfo.InvariantCulture), output[1]);
    }

    private static long Owner(string path) => long.Parse(StatFormat(path, "%u"), CultureInfo.InvariantCulture);

    private static string StatFormat(string path, string format)
    {
        var start = new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    [Fact]
    public async Task SecretAndProjectedVolumes_AreTmpfsMountedBeforeTheirFiles_ConfigMapDownwardApiAndEmptyDirAreNot()
    {
        AddObjects();
        var pod = PodWithVolumes();
        var secret = _node.VolumeDir(pod, "kubernetes.io~secret", "creds");
        var projected = _node.VolumeDir(pod, "kubernetes.io~projected", "token");
        var emptyAtMount = new List<bool>();
        _node.Mounter.OnMount = target => emptyAtMount.Add(!Directory.EnumerateFileSystemEntries(target).Any());

        await _node.RunAsync(pod);

        // A memory-backed emptyDir is sized as the pod's memory may grow: here the node's memory (8Gi).
        Assert.Equal([$"mount tmpfs {secret} size={8L << 30}", $"mount tmpfs {projected} size={8L << 30}"], _node.Mounter.Calls);
        Assert.Equal([true, true], emptyAtMount);
        Assert.Equal("s3cret", await File.ReadAllTextAsync(Path.Combine(secret, "password")));
        Assert.True(File.Exists(Path.Combine(projected, "token")));

        // Syncing again (contents refreshed) mounts nothing more.
        await _node.RunAsync(pod);
        Assert.Equal(2, _node.Mounter.Calls.Count);

        await _node.Sync.ForgetAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.Equal(new[] { $"umount {secret}", $"umount {projected}" }.Order(StringComparer.Ordinal), _node.Mounter.Calls.Skip(2).Order(StringComparer.Ordinal));
        Assert.False(_node.Mounter.IsMountPoint(secret) || _node.Mounter.IsMountPoint(projected));
        Assert.False(Directory.Exists(Path.Combine(_node.Root, "pods", pod.Metadata.Uid)));
    }

    [Fact]
    public async Task ASecretVolume_IsARealTmpfs_UnmountedWhenThePodGoes()
    {
        var mounter = new ProcessMounter();
        using var node = new PodSpecFixture(mounter: mounter);
        node.Client.AddSecret("creds", new() { ["password"] = "s3cret" });
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds" } }];
        var dir = node.VolumeDir(pod, "kubernetes.io~secret", "creds");
        try
        {
            await node.RunAsync(pod);

            var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == dir);
            Assert.Contains(" - tmpfs tmpfs ", line, StringComparison.Ordinal);
            Assert.Equal("s3cret", await File.ReadAllTextAsync(Path.Combine(dir, "password")));

            await node.Sync.ForgetAsync(pod.Metadata.Uid, CancellationToken.None);

            Assert.False(mounter.IsMountPoint(dir));
            Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(node.Root, StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(node.Root, "pods", pod.Metadata.Uid)));
        }
        finally
        {
            if (mounter.IsMountPoint(dir))
            {
                await mounter.UnmountAsync(dir, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task OrphanedPodDirectories_AreUnmountedAndRemoved_KnownPodsAreKept()
    {
        AddObjects();
        var orphan = PodWithVolumes();
        var kept = Pod("kept");
        kept.Spec.Volumes = [new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds" } }];
        await _node.RunAsync(orphan);
        await _node.RunAsync(kept);
        var orphanSecret = _node.VolumeDir(orphan, "kubernetes.io~secret", "creds");
        var keptSecret = _node.VolumeDir(kept, "kubernetes.io~secret", "creds");
        Assert.True(_node.Mounter.IsMountPoint(orphanSecret));

        var cleaned = await _node.Configs.Volumes.CleanUpOrphansAsync(new HashSet<string> { kept.Metadata.Uid }, CancellationToken.None);

        Assert.Equal([orphan.Metadata.Uid], cleaned);
        Assert.False(_node.Mounter.IsMountPoint(orphanSecret));
        Assert.False(Directory.Exists(Path.Combine(_node.Root, "pods", orphan.Metadata.Uid)));
        Assert.True(_node.Mounter.IsMountPoint(keptSecret));
        Assert.True(File.Exists(Path.Combine(keptSecret, "password")));
    }

    [Fact]
    public async Task FsGroup_OwnsEveryManagedVolume_WithGroupBitsAndSetgidDirectories()
    {
        AddObjects();
        var pod = PodWithVolumes();
        pod.Spec.SecurityContext = new V1PodSecurityContext { FsGroup = FsGroup };

        await _node.RunAsync(pod);

        // Read-only (kubelet-written) volumes: group read on files, group r-x and setgid on directories.
        foreach (var (plugin, name, file, fileMode) in new[]
        {
            ("kubernetes.io~secret", "creds", "password", "644"),
            ("kubernetes.io~configmap", "config", "level", "644"),
            ("kubernetes.io~downward-api", "info", "name", "644"),
            ("kubernetes.io~projected", "token", "token", "640"),
        })
        {
            var dir = _node.VolumeDir(pod, plugin, name);
            Assert.Equal((FsGroup, "2755"), Stat(dir));
            Assert.Equal((FsGroup, fileMode), Stat(Path.Combine(dir, AtomicWriter.DataDirName, file)));
            Assert.Equal(FsGroup, Stat(Path.Combine(dir, file)).Gid);
        }

        // emptyDir: read-write for the group, setgid so that what the containers create there is the group's.
        var scratch = _node.VolumeDir(pod, "kubernetes.io~empty-dir", "scratch");
        Assert.Equal((FsGroup, "2777"), Stat(scratch));
    }

    [Fact]
    public async Task FsGroup_GivesChangedContents_TheGroupToo_AndAnUnchangedPayloadIsNotRewritten()
    {
        AddObjects();
        var pod = PodWithVolumes();
        pod.Spec.SecurityContext = new V1PodSecurityContext { FsGroup = FsGroup };
        await _node.RunAsync(pod);
        var dir = _node.VolumeDir(pod, "kubernetes.io~configmap", "config");
        var before = new FileInfo(Path.Combine(dir, AtomicWriter.DataDirName)).LinkTarget;

        await _node.RunAsync(pod);
        Assert.Equal(before, new FileInfo(Path.Combine(dir, AtomicWriter.DataDirName)).LinkTarget);

        _node.Client.AddConfigMap("settings", new() { ["level"] = "info", ["extra"] = "1" });
        await _node.RunAsync(pod);
        Assert.NotEqual(before, new FileInfo(Path.Combine(dir, AtomicWriter.DataDirName)).LinkTarget);
        Assert.Equal((FsGroup, "644"), Stat(Path.Combine(dir, AtomicWriter.DataDirName, "extra")));
        Assert.Equal((FsGroup, "2755"), Stat(Path.Combine(dir, new FileInfo(Path.Combine(dir, AtomicWriter.DataDirName)).LinkTarget!)));
    }

    [Fact]
    public async Task HostPath_IsNotTouchedByFsGroup()
    {
        var host = Directory.CreateTempSubdirectory("cetus-hostpath-").FullName;
        try
        {
            var before = Stat(host);
            var pod = Pod("web");
            pod.Spec.SecurityContext = new V1PodSecurityContext { FsGroup = FsGroup };
            pod.Spec.Volumes = [new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = host } }];

            await _node.RunAsync(pod);

            Assert.Equal(before, Stat(host));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }

    [Fact]
    public async Task ServiceAccountToken_WithOneRunAsUser_Is0600OwnedByThatUser()
    {
        var pod = PodWithVolumes();
        AddObjects();
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = 1234 };

        await _node.RunAsync(pod);

        var token = Path.Combine(_node.VolumeDir(pod, "kubernetes.io~projected", "token"), AtomicWriter.DataDirName, "token");
        Assert.Equal("600", Stat(token).Mode);
        Assert.Equal(1234, Owner(token));
    }

    [Fact]
    public async Task ServiceAccountToken_WithoutPodUserOrFsGroup_KeepsTheDefaultMode_AndRunAsUsersThatDiffer_OwnNothing()
    {
        AddObjects();
        var pod = PodWithVolumes();
        var init = Container("init");
        init.SecurityContext = new V1SecurityContext { RunAsUser = 99 };
        pod.Spec.InitContainers = [init];
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = 1234 };
        Assert.Null(VolumeOwnership.FsUser(pod));

        pod.Spec.InitContainers = null;
        pod.Spec.SecurityContext = null;
        await _node.RunAsync(pod);

        var token = Path.Combine(_node.VolumeDir(pod, "kubernetes.io~projected", "token"), AtomicWriter.DataDirName, "token");
        Assert.Equal("644", Stat(token).Mode);
        Assert.Equal(0, Owner(token));
    }
}
