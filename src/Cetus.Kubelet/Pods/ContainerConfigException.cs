namespace Cetus.Kubelet.Pods;

/// <summary>
/// The container's config cannot be made (a missing config map or secret, a bad subPath, runAsNonRoot broken): the
/// container waits with reason <see cref="Reason"/> and this message, and the next sync tries again.
/// </summary>
public sealed class ContainerConfigException : Exception
{
    /// <summary>The waiting reason the kubelet reports.</summary>
    public const string Reason = "CreateContainerConfigError";

    /// <summary>Creates the error.</summary>
    public ContainerConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error.</summary>
    public ContainerConfigException()
    {
    }

    /// <summary>Creates the error.</summary>
    public ContainerConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
