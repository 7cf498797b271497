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
}
