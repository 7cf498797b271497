using Cetus.Cri.V1;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// Termination messages (Kubernetes' kuberuntime getTerminationMessage): the kubelet mounts a file of its own at the
/// container's terminationMessagePath and records that path in an annotation; once the container has exited, the
/// file's content (at most 4 KiB) is appended to the runtime's message. FallbackToLogsOnError's log tail is not read.
/// </summary>
public static class TerminationMessages
{
    /// <summary>The container annotation holding terminationMessagePath.</summary>
    public const string PathAnnotation = "io.kubernetes.container.terminationMessagePath";

    /// <summary>The container annotation holding terminationMessagePolicy.</summary>
    public const string PolicyAnnotation = "io.kubernetes.container.terminationMessagePolicy";

    /// <summary>The most of the file that is read.</summary>
    public const int MaxLength = 4096;

    /// <summary>The message for an exited container: the runtime's, then ": " and the file's content when there is one.</summary>
    public static string Message(ContainerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var message = status.Message ?? string.Empty;
        if (status.State != ContainerState.ContainerExited || !status.Annotations.TryGetValue(PathAnnotation, out var path))
        {
            return message;
        }

        var hostPath = status.Mounts.FirstOrDefault(m => m.ContainerPath == path)?.HostPath;
        var content = hostPath is null ? string.Empty : Read(hostPath);
        return content.Length == 0 ? message : message.Length == 0 ? content : message + ": " + content;
    }

    private static string Read(string hostPath)
    {
        try
        {
            using var file = File.OpenRead(hostPath);
            var buffer = new byte[MaxLength];
            var read = file.ReadAtLeast(buffer, MaxLength, throwOnEndOfStream: false);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
