using System.Text;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Env;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Volumes;

/// <summary>
/// Sets up and tears down a pod's volumes under the kubelet's root directory, as Kubernetes' volume plugins do:
/// ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME for emptyDir (a tmpfs for medium Memory, sized by sizeLimit, the
/// pod's memory limit or the node's allocatable memory), configMap, secret, downwardAPI and projected (service
/// account token, configMap, secret and downwardAPI sources), whose files are written by <see cref="AtomicWriter"/>
/// again whenever their contents change; hostPath is the host's path after its type check. Secret and projected
/// volumes are memory-backed (a tmpfs mounted before their files are written, as upstream wraps them in a Memory
/// emptyDir), so secrets never reach the disk; configMap and downwardAPI are plain directories. With the pod's
/// fsGroup, every volume but hostPath gets that group (<see cref="VolumeOwnership"/>). With no root directory
/// (simulated nodes) nothing is written or read and volumes get nominal paths. Config maps and secrets are read
/// through <paramref name="objects"/> (a real node's watch cache) when given, else through <paramref name="client"/>.
/// </summary>
public sealed class VolumeManager(NodeConfig node, IKubeletClient? client, IMounter mounter, TimeProvider? time = null, ILogger? logger = null, IPodObjectReader? objects = null)
{
    /// <summary>Where volumes nominally live when the node has no root directory.</summary>
    public const string NominalRoot = "/var/lib/kubelet";

    // Upstream's defaults (API defaulting fills them too): 0644 for configMap, secret, downwardAPI and projected files.
    private const int DefaultMode = 420;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly ServiceAccountTokens _tokens = new(client, time ?? TimeProvider.System);
    private readonly IPodObjectReader? _objects = objects ?? client;

    /// <summary>True when volumes are real directories (the node has a root directory).</summary>
    public bool Materialized => node.RootDirectory is not null;

    /// <summary>The pod's directory (ROOT/pods/UID).</summary>
    public string PodDirectory(string podUid) => Path.Combine(node.RootDirectory ?? NominalRoot, "pods", podUid);

    /// <summary>Sets up (or refreshes) every volume of the pod; a <see cref="VolumeSetupException"/> names the first that failed.</summary>
    public async Task<IReadOnlyDictionary<string, PodVolume>> SetUpAsync(PodFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var result = new Dictionary<string, PodVolume>(StringComparer.Ordinal);
        foreach (var volume in facts.Pod.Spec.Volumes ?? [])
        {
            try
            {
                result[volume.Name] = await SetUpAsync(facts, volume, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ContainerConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or k8s.Autorest.HttpOperationException)
            {
                throw new VolumeSetupException(volume.Name, e.Message);
            }
        }

        return result;
    }

    /// <summary>
    /// Unmounts the pod's memory-backed volumes (emptyDir of medium Memory, secret, projected) and deletes its directory
    /// (volumes, etc-hosts, termination messages). The directory stays when an unmount fails (deleting it would empty
    /// what is still mounted); the next tear-down tries again.
    /// </summary>
    public async Task TearDownAsync(string podUid, CancellationToken cancellationToken)
    {
        _tokens.Forget(podUid);
        if (!Materialized)
        {
            return;
        }

        var podDir = PodDirectory(podUid);
        var volumes = Path.Combine(podDir, "volumes");
        if (Directory.Exists(volumes))
        {
            foreach (var dir in Directory.EnumerateDirectories(volumes).SelectMany(Directory.EnumerateDirectories).Where(mounter.IsMountPoint).ToList())
            {
                await mounter.UnmountAsync(dir, cancellationToken).ConfigureAwait(false);
            }
        }

        if (Directory.Exists(podDir))
        {
            Directory.Delete(podDir, recursive: true);
        }
    }

    /// <summary>
    /// Tears down the directories of pods that are neither in <paramref name="knownPodUids"/> nor running (the
    /// kubelet's cleanupOrphanedPodDirs, at start: a pod deleted while the kubelet was down leaves its volumes,
    /// secret tmpfs mounts included); returns the uids cleaned.
    /// </summary>
    public async Task<IReadOnlyList<string>> CleanUpOrphansAsync(IReadOnlySet<string> knownPodUids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knownPodUids);
        var pods = Path.Combine(node.RootDirectory ?? NominalRoot, "pods");
        if (!Materialized || !Directory.Exists(pods))
        {
            return [];
        }

        var cleaned = new List<string>();
        foreach (var uid in Directory.EnumerateDirectories(pods).Select(Path.GetFileName).OfType<string>().Where(u => !knownPodUids.Contains(u)).ToList())
        {
            try
            {
                await TearDownAsync(uid, cancellationToken).ConfigureAwait(false);
                cleaned.Add(uid);
                _logger.LogInformation("removed the directory and volumes of orphaned pod {Uid}", uid);
            }
            catch (IOException e)
            {
                _logger.LogWarning("orphaned pod {Uid} found, but its volumes could not be cleaned up: {Error}", uid, e.Message);
            }
        }

        return cleaned;
    }

    private async Task<PodVolume> SetUpAsync(PodFacts facts, V1Volume volume, CancellationToken cancellationToken)
    {
        var pod = facts.Pod;
        if (volume.HostPath is { } hostPath)
        {
            if (Materialized)
            {
                HostPathTypes.Check(hostPath.Path, hostPath.Type);
            }

            return new PodVolume(hostPath.Path, false);
        }

        var (plugin, readOnly) = volume switch
        {
            { ConfigMap: not null } => ("kubernetes.io~configmap", true),
            { Secret: not null } => ("kubernetes.io~secret", true),
            { DownwardAPI: not null } => ("kubernetes.io~downward-api", true),
            { Projected: not null } => ("kubernetes.io~projected", true),
            _ => ("kubernetes.io~empty-dir", false),
        };
        var dir = Path.Combine(PodDirectory(pod.Metadata.Uid), "volumes", plugin, volume.Name);
        if (!Materialized)
        {
            return new PodVolume(dir, readOnly);
        }

        if (!readOnly)
        {
            await EmptyDirAsync(facts, volume.EmptyDir, dir, cancellationToken).ConfigureAwait(false);
            return new PodVolume(dir, false);
        }

        var payload = await PayloadAsync(facts, volume, cancellationToken).ConfigureAwait(false);
        if (volume.Secret is not null || volume.Projected is not null)
        {
            // Upstream wraps these in a Memory emptyDir: mounted before anything is written.
            Directory.CreateDirectory(dir);
            if (!mounter.IsMountPoint(dir))
            {
                await mounter.MountTmpfsAsync(dir, MemorySize(facts, new V1EmptyDirVolumeSource { Medium = "Memory" }), cancellationToken).ConfigureAwait(false);
            }
        }

        var fsGroup = pod.Spec.SecurityContext?.FsGroup;
        if (fsGroup is not null)
        {
            // The group bits the ownership change gives, in the payload already: an unchanged payload stays unchanged.
            payload = payload.ToDictionary(p => p.Key, p => p.Value with { Mode = VolumeOwnership.FileMode(p.Value.Mode, readOnly: true) }, StringComparer.Ordinal);
        }

        if (AtomicWriter.Write(dir, payload, _time.GetUtcNow().UtcDateTime))
        {
            if (fsGroup is { } group)
            {
                VolumeOwnership.Set(dir, group, readOnly: true);
            }

            _logger.LogDebug("volume {Volume} of pod {Namespace}/{Name} written ({Files} files)", volume.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Name, payload.Count);
        }

        return new PodVolume(dir, true);
    }

    private async Task EmptyDirAsync(PodFacts facts, V1EmptyDirVolumeSource? source, string dir, CancellationToken cancellationToken)
    {
        var created = !Directory.Exists(dir);
        if (created)
        {
            Directory.CreateDirectory(dir);
            FileModes.Set(dir, FileModes.Octal("777"));
        }

        if (source?.Medium == "Memory" && !mounter.IsMountPoint(dir))
        {
            created = true;
            await mounter.MountTmpfsAsync(dir, MemorySize(facts, source), cancellationToken).ConfigureAwait(false);
        }

        // Once, when set up (upstream marks the volume ready and does not walk it again): the files are the pod's.
        if (created && facts.Pod.Spec.SecurityContext?.FsGroup is { } fsGroup)
        {
            VolumeOwnership.Set(dir, fsGroup, readOnly: false);
        }
    }

    // The kubelet's calculateEmptyDirMemorySize: node allocatable memory, lowered to the pod's memory limit, lowered to sizeLimit.
    private static long? MemorySize(PodFacts facts, V1EmptyDirVolumeSource source)
    {
        long? size = (facts.Node.Allocatable ?? facts.Node.Capacity).TryGetValue("memory", out var allocatable) ? (long)allocatable.ToDecimal() : null;
        var apps = facts.Pod.Spec.Containers ?? [];
        if (apps.Count > 0 && apps.All(c => c.Resources?.Limits?.ContainsKey("memory") == true))
        {
            var limit = apps.Sum(c => (long)c.Resources.Limits["memory"].ToDecimal());
            foreach (var init in facts.Pod.Spec.InitContainers ?? [])
            {
                limit = Math.Max(limit, init.Resources?.Limits?.TryGetValue("memory", out var l) == true ? (long)l.ToDecimal() : 0);
            }

            size = size is null ? limit : Math.Min(size.Value, limit);
        }

        if (source.SizeLimit is { } sizeLimit && (long)sizeLimit.ToDecimal() is > 0 and var bytes)
        {
            size = size is null ? bytes : Math.Min(size.Value, bytes);
        }

        return size;
    }

    private async Task<Dictionary<string, FileProjection>> PayloadAsync(PodFacts facts, V1Volume volume, CancellationToken cancellationToken)
    {
        var pod = facts.Pod;
        var ns = pod.Metadata.NamespaceProperty;
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (volume.ConfigMap is { } configMap)
        {
            await AddConfigMapAsync(payload, ns, configMap.Name, configMap.Items, configMap.Optional, configMap.DefaultMode ?? DefaultMode, cancellationToken).ConfigureAwait(false);
        }
        else if (volume.Secret is { } secret)
        {
            await AddSecretAsync(payload, ns, secret.SecretName, secret.Items, secret.Optional, secret.DefaultMode ?? DefaultMode, cancellationToken).ConfigureAwait(false);
        }
        else if (volume.DownwardAPI is { } downward)
        {
            AddDownwardApi(payload, facts, downward.Items, downward.DefaultMode ?? DefaultMode);
        }
        else if (volume.Projected is { } projected)
        {
            var mode = projected.DefaultMode ?? DefaultMode;
            var fsUser = VolumeOwnership.FsUser(pod);
            foreach (var source in projected.Sources ?? [])
            {
                if (source.ServiceAccountToken is { } token)
                {
                    var value = await _tokens.GetAsync(ns, pod.Spec.ServiceAccountName ?? "default", token.Audience, token.ExpirationSeconds ?? 3600, pod.Metadata.Name, pod.Metadata.Uid, cancellationToken).ConfigureAwait(false);
                    // As upstream: with a pod user or fsGroup the token is readable by its owner only (0600; fsGroup then adds group read).
                    var tokenMode = fsUser is not null || pod.Spec.SecurityContext?.FsGroup is not null ? FileModes.Octal("600") : mode;
                    payload[token.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), tokenMode, fsUser);
                }
                else if (source.ConfigMap is { } cm)
                {
                    await AddConfigMapAsync(payload, ns, cm.Name, cm.Items, cm.Optional, mode, cancellationToken).ConfigureAwait(false);
                }
                else if (source.Secret is { } s)
                {
                    await AddSecretAsync(payload, ns, s.Name, s.Items, s.Optional, mode, cancellationToken).ConfigureAwait(false);
                }
                else if (source.DownwardAPI is { } d)
                {
                    AddDownwardApi(payload, facts, d.Items, mode);
                }
            }
        }

        return payload;
    }

    private async Task AddConfigMapAsync(Dictionary<string, FileProjection> payload, string ns, string name, IList<V1KeyToPath>? items, bool? optional, int mode, CancellationToken cancellationToken)
    {
        var configMap = _objects is null ? null : await _objects.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (configMap is null)
        {
            // An optional config map that does not exist gives an empty volume.
            _ = optional == true ? 0 : throw new ContainerConfigException($"configmap \"{name}\" not found");
            return;
        }

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[key] = value;
        }

        AddKeys(payload, data, items, optional, mode, "configmap references non-existent config key");
    }

    private async Task AddSecretAsync(Dictionary<string, FileProjection> payload, string ns, string name, IList<V1KeyToPath>? items, bool? optional, int mode, CancellationToken cancellationToken)
    {
        var secret = _objects is null ? null : await _objects.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            _ = optional == true ? 0 : throw new ContainerConfigException($"secret \"{name}\" not found");
            return;
        }

        AddKeys(payload, new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal), items, optional, mode, "references non-existent secret key");
    }

    // All keys as files, or only the listed items (key → path, with their own mode).
    private static void AddKeys(Dictionary<string, FileProjection> payload, Dictionary<string, byte[]> data, IList<V1KeyToPath>? items, bool? optional, int mode, string missing)
    {
        if (items is not { Count: > 0 })
        {
            foreach (var (key, value) in data)
            {
                payload[key] = new FileProjection(value, mode);
            }

            return;
        }

        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional == true)
                {
                    continue;
                }

                throw new ContainerConfigException($"{missing}: {item.Key}");
            }

            payload[item.Path] = new FileProjection(value, item.Mode ?? mode);
        }
    }

    private static void AddDownwardApi(Dictionary<string, FileProjection> payload, PodFacts facts, IList<V1DownwardAPIVolumeFile>? items, int mode)
    {
        foreach (var item in items ?? [])
        {
            string value;
            if (item.FieldRef is { } field)
            {
                value = FieldRefs.Field(facts, field.FieldPath);
            }
            else if (item.ResourceFieldRef is { } resource)
            {
                value = FieldRefs.Resource(facts, resource.ContainerName ?? string.Empty, resource.Resource, resource.Divisor);
            }
            else
            {
                continue;
            }

            payload[item.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), item.Mode ?? mode);
        }
    }
}
