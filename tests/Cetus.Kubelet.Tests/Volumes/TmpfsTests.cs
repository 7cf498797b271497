using Cetus.Kubelet.Volumes;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Volumes;

/// <summary>A memory-backed emptyDir is a real tmpfs (mount(8) as root, as the kubelet runs here), unmounted when the pod goes.</summary>
public sealed class TmpfsTests
{
    [Fact]
    public async Task MemoryEmptyDir_IsARealTmpfsOfTheSizeLimit_UnmountedAndDeletedOnRemoval()
    {
        var mounter = new ProcessMounter();
        using var node = new PodSpecFixture(mounter: mounter);
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "cache", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("2Mi") } }];
        var dir = node.VolumeDir(pod, "kubernetes.io~empty-dir", "cache");
        try
        {
            await node.RunAsync(pod);

            Assert.True(mounter.IsMountPoint(dir));
            var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == dir);
            Assert.Contains(" - tmpfs tmpfs ", line, StringComparison.Ordinal);
            Assert.Contains("size=2048k", line, StringComparison.Ordinal);

            await node.Sync.ForgetAsync(pod.Metadata.Uid, CancellationToken.None);

            Assert.False(mounter.IsMountPoint(dir));
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
    public async Task IsMountPoint_SeesATmpfsOnAPathWithSpacesAndBackslashes_AndIsNotFooledByAPrefix()
    {
        var mounter = new ProcessMounter();
        var root = Path.Combine(Path.GetTempPath(), "cetus-mountpoint-" + Guid.NewGuid().ToString("N"));
        var spaced = Path.Combine(root, "a b\\c");
        var sibling = spaced + "d";
        Directory.CreateDirectory(spaced);
        Directory.CreateDirectory(sibling);
        try
        {
            Assert.False(mounter.IsMountPoint(spaced));
            Assert.False(mounter.IsMountPoint(Path.Combine(root, "missing")));
            Assert.True(mounter.IsMountPoint("/"));
            Assert.True(mounter.IsMountPoint("/proc"));
            await mounter.MountTmpfsAsync(spaced, 1 << 20, CancellationToken.None);

            // mountinfo shows the path as a\040b\134c: the escaped form is what matches.
            Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Contains("a\\040b\\134c", StringComparison.Ordinal));
            Assert.True(mounter.IsMountPoint(spaced));
            Assert.True(mounter.IsMountPoint(spaced + "/"));
            Assert.False(mounter.IsMountPoint(sibling));
            Assert.False(mounter.IsMountPoint(root));

            // A directory inside the tmpfs is on the tmpfs's device: not a mount point itself.
            Directory.CreateDirectory(Path.Combine(spaced, "inner"));
            Assert.False(mounter.IsMountPoint(Path.Combine(spaced, "inner")));
        }
        finally
        {
            if (mounter.IsMountPoint(spaced))
            {
                await mounter.UnmountAsync(spaced, CancellationToken.None);
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
