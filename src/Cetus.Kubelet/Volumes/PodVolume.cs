namespace Cetus.Kubelet.Volumes;

/// <summary>A pod volume set up on the node.</summary>
/// <param name="HostPath">Where it is on the host (what containers mount).</param>
/// <param name="ReadOnly">True for volumes the kubelet owns the contents of (configMap, secret, downwardAPI, projected): always mounted read-only.</param>
public sealed record PodVolume(string HostPath, bool ReadOnly);

/// <summary>A volume could not be set up: the pod's containers are not created until it can.</summary>
public sealed class VolumeSetupException : Exception
{
    /// <summary>Creates the error for volume <paramref name="volume"/> (the message reads as the kubelet's FailedMount event).</summary>
    public VolumeSetupException(string volume, string message)
        : base($"MountVolume.SetUp failed for volume \"{volume}\" : {message}")
    {
    }

    /// <summary>Creates the error.</summary>
    public VolumeSetupException()
    {
    }

    /// <summary>Creates the error.</summary>
    public VolumeSetupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error.</summary>
    public VolumeSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
