using Cetus.Client.Events;
using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Grpc.Core;
using k8s.Models;

namespace Cetus.Kubelet.Images;

/// <summary>
/// Makes sure a container's image is on the node before the container is created, as the kubelet's image manager
/// (pkg/kubelet/images EnsureImageExists): ImageStatus, then a pull as imagePullPolicy says (Always; IfNotPresent when
/// missing; Never refuses with ErrImageNeverPull). A failed pull is ErrImagePull and starts a per-(pod, image) backoff
/// of 10 s doubling to 300 s (<see cref="ContainerBackoff"/>, measured from the failed pull); while it lasts the
/// container waits with ImagePullBackOff (<c>Back-off pulling image "X"</c>) and no pull is made. The waiting reason
/// carries when to sync again (<see cref="ContainerWaiting.RetryAfter"/>): <see cref="RecheckAfterFailedPull"/> after
/// a failed pull (so that the backoff shows), the end of the backoff while in it. A successful pull clears the entry.
/// Events as upstream: Pulling, Pulled, Failed ("Failed to pull image …", "Error: ErrImagePull"), BackOff (Normal,
/// "Back-off pulling image …") with Failed "Error: ImagePullBackOff", ErrImageNeverPull.
/// Pulls carry the credentials of the pod's image pull secrets (read through <paramref name="secrets"/>) that match the
/// image's registry (<see cref="DockerKeyring"/>), tried in turn as upstream's PullImage does; with none, the pull is
/// anonymous.
/// </summary>
public sealed class ImageManager(IImageService images, TimeProvider? time = null, IEventSink? events = null, IPodObjectReader? secrets = null)
{
    /// <summary>The event reason when some of a pod's image pull secrets cannot be read (upstream's FailedToRetrieveImagePullSecret).</summary>
    public const string FailedToRetrieveImagePullSecret = "FailedToRetrieveImagePullSecret";

    /// <summary>
    /// How soon a pod is synced again after a failed pull (upstream re-syncs a pod whose sync failed after its pod
    /// worker's backoff; ours starts at 1 s): the next sync, inside the pull backoff, reports ImagePullBackOff.
    /// </summary>
    public static readonly TimeSpan RecheckAfterFailedPull = TimeSpan.FromSeconds(1);

    /// <summary>The waiting reason of a failed pull.</summary>
    public const string ErrImagePull = "ErrImagePull";

    /// <summary>The waiting reason while a pull waits out its backoff.</summary>
    public const string ImagePullBackOff = "ImagePullBackOff";

    /// <summary>The waiting reason of a missing image with pull policy Never.</summary>
    public const string ErrImageNeverPull = "ErrImageNeverPull";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly IEventSink _events = events ?? NullEventSink.Instance;

    /// <summary>The pull backoff, one entry per pod uid + image (<see cref="ContainerBackoff.Key"/>).</summary>
    public ContainerBackoff Backoff { get; } = new(time);

    /// <summary>
    /// Makes sure <paramref name="container"/>'s image is present, pulling it when its policy says so; null when it
    /// is there, otherwise why the container waits (ErrImagePull, ImagePullBackOff, ErrImageNeverPull).
    /// </summary>
    public async Task<ContainerWaiting?> EnsureImageAsync(V1Pod pod, V1Container container, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var image = new ImageSpec { Image = container.Image };
        var policy = container.ImagePullPolicy ?? DefaultPullPolicy(container.Image);
        if (policy != "Always" && await images.ImageStatusAsync(image, cancellationToken).ConfigureAwait(false) is not null)
        {
            _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Pulled, $"Container image \"{container.Image}\" already present on machine");
            return null;
        }

        if (policy == "Never")
        {
            var message = $"Container image \"{container.Image}\" is not present with pull policy of Never";
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.ErrImageNeverPull, message);
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + ErrImageNeverPull);
            return new ContainerWaiting(ErrImageNeverPull, message);
        }

        var key = ContainerBackoff.Key(pod.Metadata.Uid, container.Image);
        if (Backoff.IsInBackOffSinceUpdate(key, out var remaining))
        {
            var message = $"Back-off pulling image \"{container.Image}\"";
            _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.BackOff, message);
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + ImagePullBackOff);
            return new ContainerWaiting(ImagePullBackOff, message) { RetryAfter = remaining };
        }

        _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Pulling, $"Pulling image \"{container.Image}\"");
        var started = _time.GetTimestamp();
        if (await PullAsync(pod, image, sandboxConfig, cancellationToken).ConfigureAwait(false) is { } error)
        {
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, $"Failed to pull image \"{container.Image}\": {error}");
            Backoff.Next(key, _time.GetUtcNow().UtcDateTime);
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + ErrImagePull);
            // As upstream's evalCRIPullErr: the message is the CRI error as the client prints it.
            return new ContainerWaiting(ErrImagePull, error) { RetryAfter = RecheckAfterFailedPull };
        }

        Backoff.Reset(key);
        Backoff.Collect();
        var pulled = KubeletEvents.GoDuration(_time.GetElapsedTime(started));
        var size = (await images.ImageStatusAsync(image, cancellationToken).ConfigureAwait(false))?.Size ?? 0;
        // Pulls are not queued here, so the time including waiting is the pull's own.
        _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Pulled, $"Successfully pulled image \"{container.Image}\" in {pulled} ({pulled} including waiting). Image size: {size} bytes.");
        return null;
    }

    // One pull as upstream's PullImage: anonymous when no pull secret has credentials for the image's registry, else
    // with each matching credential in turn until one works. Null on success, else the error as Go prints it (several
    // failed attempts as an aggregate: "[first, second]").
    private async Task<string?> PullAsync(V1Pod pod, ImageSpec image, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken)
    {
        IReadOnlyList<RegistryCredential> credentials;
        try
        {
            var keyring = DockerKeyring.FromSecrets(await PullSecretsAsync(pod, cancellationToken).ConfigureAwait(false));
            credentials = keyring.IsEmpty ? [] : keyring.Lookup(DockerKeyring.RepositoryToPull(image.Image));
        }
        catch (FormatException e)
        {
            return e.Message;
        }

        var errors = new List<string>();
        var attempts = credentials.Count == 0 ? [null] : credentials.Select(c => (AuthConfig?)new AuthConfig { Username = c.Username, Password = c.Password }).ToList();
        foreach (var auth in attempts)
        {
            try
            {
                await images.PullImageAsync(image, auth, sandboxConfig, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                errors.Add(KubeletEvents.RpcError(e));
            }
        }

        return errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
    }

    // The pod's image pull secrets that can be read (upstream's getPullSecretsForPod): one missing or unreadable is
    // left out, with a FailedToRetrieveImagePullSecret event, and the pull goes on without it.
    private async Task<List<V1Secret>> PullSecretsAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var found = new List<V1Secret>();
        if (secrets is null || pod.Spec?.ImagePullSecrets is not { Count: > 0 } references)
        {
            return found;
        }

        var failed = new List<string>();
        foreach (var name in references.Select(r => r.Name).Where(n => !string.IsNullOrEmpty(n)))
        {
            V1Secret? secret;
            try
            {
                secret = await secrets.GetSecretAsync(pod.Metadata.NamespaceProperty, name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                secret = null;
            }

            if (secret is null)
            {
                failed.Add(name);
            }
            else
            {
                found.Add(secret);
            }
        }

        if (failed.Count > 0)
        {
            _events.Pod(pod, EventTypes.Warning, FailedToRetrieveImagePullSecret, $"Unable to retrieve some image pull secrets ({string.Join(", ", failed)}); attempting to pull the image may not succeed.");
        }

        return found;
    }

    /// <summary>Forgets the pull backoff of a pod that terminated or is gone, and drops expired entries.</summary>
    public void Forget(string podUid)
    {
        Backoff.Forget(podUid);
        Backoff.Collect();
    }

    /// <summary>The pull policy when the container names none: Always for <c>:latest</c> or no tag, else IfNotPresent.</summary>
    public static string DefaultPullPolicy(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var name = image.Contains('@', StringComparison.Ordinal) ? image : image[(image.LastIndexOf('/') + 1)..];
        return !name.Contains(':', StringComparison.Ordinal) || name.EndsWith(":latest", StringComparison.Ordinal) ? "Always" : "IfNotPresent";
    }
}
