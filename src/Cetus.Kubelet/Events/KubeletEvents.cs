using System.Globalization;
using Cetus.Client.Events;
using Grpc.Core;
using k8s.Models;

namespace Cetus.Kubelet.Events;

/// <summary>The reasons of the kubelet's events (upstream's pkg/kubelet/events/event.go), for the events Cetus records.</summary>
public static class EventReasons
{
    /// <summary>A container was created.</summary>
    public const string Created = "Created";

    /// <summary>A container was started.</summary>
    public const string Started = "Started";

    /// <summary>A container could not be created or started (image, config, runtime errors).</summary>
    public const string Failed = "Failed";

    /// <summary>A container is stopped.</summary>
    public const string Killing = "Killing";

    /// <summary>A failed container waits out its restart backoff.</summary>
    public const string BackOff = "BackOff";

    /// <summary>An image is being pulled.</summary>
    public const string Pulling = "Pulling";

    /// <summary>An image was pulled, or was present already.</summary>
    public const string Pulled = "Pulled";

    /// <summary>An image is missing and its pull policy is Never.</summary>
    public const string ErrImageNeverPull = "ErrImageNeverPull";

    /// <summary>A probe failed.</summary>
    public const string Unhealthy = "Unhealthy";

    /// <summary>A probe succeeded with a warning.</summary>
    public const string ProbeWarning = "ProbeWarning";

    /// <summary>The postStart hook failed.</summary>
    public const string FailedPostStartHook = "FailedPostStartHook";

    /// <summary>The preStop hook failed.</summary>
    public const string FailedPreStopHook = "FailedPreStopHook";

    /// <summary>The pod's sandbox could not be created.</summary>
    public const string FailedCreatePodSandBox = "FailedCreatePodSandBox";

    /// <summary>The pod's sandbox is gone or dead and is created again.</summary>
    public const string SandboxChanged = "SandboxChanged";

    /// <summary>A volume could not be set up.</summary>
    public const string FailedMount = "FailedMount";

    /// <summary>The kubelet starts.</summary>
    public const string Starting = "Starting";

    /// <summary>The node became Ready.</summary>
    public const string NodeReady = "NodeReady";

    /// <summary>The node became not Ready.</summary>
    public const string NodeNotReady = "NodeNotReady";
}

/// <summary>
/// The kubelet's event helpers: the references its events are about (upstream's GenerateContainerRef, ref.GetReference
/// and the kubelet's nodeRef) and the messages they carry. Events go to an <see cref="IEventSink"/>: Cetus.Client's
/// aggregating <see cref="EventRecorder"/> (source component <c>kubelet</c>, host the node name) on a real node,
/// <see cref="NullEventSink"/> on simulated ones.
/// </summary>
public static class KubeletEvents
{
    /// <summary>The events' source component.</summary>
    public const string Component = "kubelet";

    /// <summary>A reference to the pod.</summary>
    public static V1ObjectReference PodRef(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return new V1ObjectReference
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Name = pod.Metadata?.Name,
            NamespaceProperty = pod.Metadata?.NamespaceProperty,
            Uid = pod.Metadata?.Uid,
            ResourceVersion = pod.Metadata?.ResourceVersion,
        };
    }

    /// <summary>
    /// A reference to a container of the pod: the pod with <c>fieldPath</c> <c>spec.containers{NAME}</c>,
    /// <c>spec.initContainers{NAME}</c> or <c>spec.ephemeralContainers{NAME}</c>.
    /// </summary>
    public static V1ObjectReference ContainerRef(V1Pod pod, string containerName)
    {
        var reference = PodRef(pod);
        var spec = pod.Spec;
        var list = spec?.Containers?.Any(c => c.Name == containerName) == true ? "containers"
            : spec?.InitContainers?.Any(c => c.Name == containerName) == true ? "initContainers"
            : spec?.EphemeralContainers?.Any(c => c.Name == containerName) == true ? "ephemeralContainers"
            : null;
        reference.FieldPath = list is null ? null : $"spec.{list}{{{containerName}}}";
        return reference;
    }

    /// <summary>The node's reference: kind Node, its name, and (as upstream) its name as uid.</summary>
    public static V1ObjectReference NodeRef(string nodeName) => new() { Kind = "Node", Name = nodeName, Uid = nodeName };

    /// <summary>Records an event about the pod.</summary>
    public static void Pod(this IEventSink sink, V1Pod pod, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Event(PodRef(pod), type, reason, message);
    }

    /// <summary>Records an event about a container of the pod.</summary>
    public static void Container(this IEventSink sink, V1Pod pod, string containerName, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Event(ContainerRef(pod, containerName), type, reason, message);
    }

    /// <summary>Records an event about the node.</summary>
    public static void Node(this IEventSink sink, string nodeName, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Event(NodeRef(nodeName), type, reason, message);
    }

    /// <summary>A node condition event's message (upstream's recordNodeStatusEvent).</summary>
    public static void NodeStatus(this IEventSink sink, string nodeName, string reason) =>
        sink.Node(nodeName, EventTypes.Normal, reason, $"Node {nodeName} status is now: {reason}");

    /// <summary>A CRI error as Go's gRPC client prints it: <c>rpc error: code = NotFound desc = …</c>.</summary>
    public static string RpcError(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"rpc error: code = {error.StatusCode} desc = {error.Status.Detail}";
    }

    /// <summary>A duration truncated to milliseconds as Go prints it (<c>512ms</c>, <c>1.234s</c>, <c>1m2.5s</c>).</summary>
    public static string GoDuration(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms <= 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms % 3_600_000 / 60_000;
        var seconds = ms % 60_000 / 1000m;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{text}");
        }

        return minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{text}") : text;
    }
}
