namespace Cetus.Kubelet.Volumes;

/// <summary>The mounts the kubelet makes on the host (memory-backed emptyDir volumes); faked in unit tests.</summary>
public interface IMounter
{
    /// <summary>Mounts a tmpfs of at most <paramref name="sizeBytes"/> bytes (unlimited when null) at <paramref name="target"/>.</summary>
    Task MountTmpfsAsync(string target, long? sizeBytes, CancellationToken cancellationToken);

    /// <summary>Unmounts <paramref name="target"/>.</summary>
    Task UnmountAsync(string target, CancellationToken cancellationToken);

    /// <summary>True when something is mounted at <paramref name="path"/>.</summary>
    bool IsMountPoint(string path);
}
