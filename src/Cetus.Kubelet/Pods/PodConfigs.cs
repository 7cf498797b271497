using System.Collections.Concurrent;
using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Env;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Volumes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// Everything that turns a pod spec into runtime configs, for <see cref="PodRuntimeManager"/>: the sandbox config
/// (<see cref="SandboxConfigBuilder"/>), the pod's volumes (<see cref="VolumeManager"/>), its managed hosts file, and
/// each container's config (<see cref="EnvironmentBuilder"/>, <see cref="ContainerConfigBuilder"/>, the runAsNonRoot
/// check against the image's user). Keeps per pod the volumes set up and the sandbox IP last seen.
/// </summary>
public sealed class PodConfigs
{
    private readonly IImageService _images;
    private readonly NodeConfig _node;
    private readonly SandboxConfigBuilder _sandboxes;
    private readonly EnvironmentBuilder _env;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, PodVolume>> _volumes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _podIPs = new(StringComparer.Ordinal);

    /// <summary>Creates the configs of node <paramref name="node"/>.</summary>
    /// <param name="images">The runtime's image service (the image's user, for runAsNonRoot).</param>
    /// <param name="node">The node (root directory, DNS, allocatable resources, IP).</param>
    /// <param name="client">Reads config maps and secrets and requests tokens; null: none exist.</param>
    /// <param name="mounter">Mounts tmpfs for memory-backed emptyDir volumes.</param>
    /// <param name="time">The clock (payload directory names, token refresh).</param>
    /// <param name="logger">Logs.</param>
    /// <param name="services">The services, for service-link variables; null: none are made.</param>
    /// <param name="objects">Reads config maps and secrets (a watch cache); null: <paramref name="client"/> GETs them.</param>
    public PodConfigs(IImageService images, NodeConfig node, IKubeletClient? client, IMounter? mounter = null, TimeProvider? time = null, ILogger? logger = null, IServiceLister? services = null, IPodObjectReader? objects = null)
    {
        _images = images ?? throw new ArgumentNullException(nameof(images));
        _node = node ?? throw new ArgumentNullException(nameof(node));
        _logger = logger ?? NullLogger.Instance;
        _sandboxes = new SandboxConfigBuilder(node, _logger);
        Objects = objects ?? client;
        _env = new EnvironmentBuilder(Objects, services);
        Volumes = new VolumeManager(node, client, mounter ?? new ProcessMounter(), time, _logger, objects);
    }

    /// <summary>Where config maps and secrets are read (the watch cache, else the client); null: none exist.</summary>
    public IPodObjectReader? Objects { get; }

    /// <summary>The volume manager.</summary>
    public VolumeManager Volumes { get; }

    /// <summary>A node with nothing configured (no root directory, no cluster DNS, no resources): for tests and defaults.</summary>
    public static NodeConfig BareNode { get; } = new() { Name = string.Empty, Capacity = new Dictionary<string, ResourceQuantity>(), InternalIP = string.Empty, ResolvConf = null };

    /// <summary>The pod's sandbox config.</summary>
    public PodSandboxConfig Sandbox(V1Pod pod, uint attempt) => _sandboxes.Build(pod, attempt);

    /// <summary>
    /// Sets up the pod's volumes (or, with <paramref name="refresh"/>, writes changed contents again); null when they
    /// are ready, else why not. A failed refresh of volumes set up before keeps them and only logs.
    /// </summary>
    public async Task<string?> SetUpVolumesAsync(V1Pod pod, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Metadata.Uid;
        var existing = _volumes.TryGetValue(uid, out var current);
        if (existing && !refresh)
        {
            return null;
        }

        try
        {
            _volumes[uid] = await Volumes.SetUpAsync(Facts(pod), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (VolumeSetupException e)
        {
            _logger.LogWarning("pod {Namespace}/{Name}: {Error}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Message);
            return existing ? null : e.Message;
        }
    }

    /// <summary>Records the pod's sandbox IP as the runtime reports it (env, downward API, hosts file).</summary>
    public void Observe(string podUid, string? podIP) => _podIPs[podUid] = podIP;

    /// <summary>The container's config; a <see cref="ContainerConfigException"/> when it cannot be made.</summary>
    public async Task<ContainerConfig> ContainerAsync(V1Pod pod, V1Container container, string kind, uint attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var facts = Facts(pod);
        var env = await _env.BuildAsync(facts, container, cancellationToken).ConfigureAwait(false);
        if (SecurityContexts.VerifyRunAsNonRoot(pod, container, null, null) is not null)
        {
            // Only asked when the pod wants it: the image's user decides.
            var image = await _images.ImageStatusAsync(new ImageSpec { Image = container.Image }, cancellationToken).ConfigureAwait(false);
            if (SecurityContexts.VerifyRunAsNonRoot(pod, container, image?.Uid?.Value, image?.Username) is { } error)
            {
                throw new ContainerConfigException(error);
            }
        }

        if (!_volumes.TryGetValue(pod.Metadata.Uid, out var volumes))
        {
            volumes = new Dictionary<string, PodVolume>();
        }

        var podDir = Volumes.PodDirectory(pod.Metadata.Uid);
        var files = new PodFiles(HostsFile(pod, podDir, facts.PodIP), Path.Combine(podDir, "containers"), Volumes.Materialized);
        var config = ContainerConfigBuilder.Build(pod, container, kind, attempt, env, volumes, files);
        SeccompProfiles.Apply(config.Linux.SecurityContext, pod, container, SeccompProfiles.Root(_node.RootDirectory ?? VolumeManager.NominalRoot));
        return config;
    }

    /// <summary>
    /// Why the runtime would refuse to create a container of <paramref name="config"/> (a Localhost seccomp profile whose
    /// file is missing: CreateContainerError), checked on nodes with files; null when nothing stands in the way.
    /// </summary>
    public string? CreateError(ContainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Volumes.Materialized ? SeccompProfiles.MissingProfile(config.Linux?.SecurityContext?.Seccomp) : null;
    }

    /// <summary>Tears down the pod's volumes and files and forgets it.</summary>
    public async Task ForgetAsync(string podUid, CancellationToken cancellationToken)
    {
        _volumes.TryRemove(podUid, out _);
        _podIPs.TryRemove(podUid, out _);
        await Volumes.TearDownAsync(podUid, cancellationToken).ConfigureAwait(false);
    }

    private PodFacts Facts(V1Pod pod) => new(pod, _node, _podIPs.TryGetValue(pod.Metadata.Uid, out var ip) ? ip : null);

    // ROOT/pods/UID/etc-hosts, (re)written when its content changes (a new sandbox has a new IP).
    private string? HostsFile(V1Pod pod, string podDir, string? podIP)
    {
        if (pod.Spec.HostNetwork == true || string.IsNullOrEmpty(podIP))
        {
            return null;
        }

        var path = Path.Combine(podDir, "etc-hosts");
        if (Volumes.Materialized)
        {
            var content = Pods.HostsFile.Content(podIP, SandboxConfigBuilder.Hostname(pod), pod.Spec.HostAliases);
            if (!File.Exists(path) || File.ReadAllText(path) != content)
            {
                Directory.CreateDirectory(podDir);
                File.WriteAllText(path, content);
                FileModes.Set(path, FileModes.Octal("644"));
            }
        }

        return path;
    }
}
