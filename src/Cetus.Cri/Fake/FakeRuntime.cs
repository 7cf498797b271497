using System.Security.Cryptography;
using System.Text;
using Cetus.Cri.V1;
using Grpc.Core;

namespace Cetus.Cri.Fake;

/// <summary>
/// An in-memory CRI runtime for simulated ("hollow") nodes and tests, as Kubernetes' fake remote runtime is for
/// kubemark: sandboxes get an IP from <see cref="FakeRuntimeOptions.PodIPPrefix"/> at once, containers start at once
/// and run until stopped, unless <see cref="FakeRuntimeOptions.Behavior"/> makes them exit on start with an exit code.
/// Tests inject failures per call (<see cref="FailNext"/>) and crashes (<see cref="ExitContainer"/>); pulls of images
/// from a registry under <c>.invalid</c> always fail (<see cref="UnresolvableRegistry"/>). Thread-safe:
/// one lock guards the whole state, and every call returns copies, never the stored messages.
/// </summary>
public sealed partial class FakeRuntime : IContainerRuntime
{
    /// <summary>The runtime name in Version and in container ids (<c>fake://ID</c>).</summary>
    public const string RuntimeName = "fake";

    private readonly Lock _lock = new();
    private readonly FakeRuntimeOptions _options;
    private readonly Dictionary<string, SandboxRecord> _sandboxes = [];
    private readonly Dictionary<string, ContainerRecord> _containers = [];
    private readonly Dictionary<string, Image> _images = [];
    private readonly Dictionary<string, Queue<RpcException>> _failures = [];
    private readonly bool[] _ipsInUse = new bool[256];
    private Func<FakeExec, FakeExecResult>? _exec;
    private List<string>? _calls;
    private List<(string, long)>? _stops;
    private long _nextId;

    /// <summary>Creates an empty runtime holding <see cref="FakeRuntimeOptions.Images"/>.</summary>
    public FakeRuntime(FakeRuntimeOptions? options = null)
    {
        _options = options ?? new FakeRuntimeOptions();
        foreach (var image in _options.Images)
        {
            AddImage(image);
        }
    }

    /// <summary>Start recording the name of every call (off by default: thousands of hollow runtimes need not keep them).</summary>
    public void RecordCalls()
    {
        lock (_lock)
        {
            _calls ??= [];
            _stops ??= [];
        }
    }

    /// <summary>The StopContainer calls so far (container id and timeout in seconds), when recording.</summary>
    public IReadOnlyList<(string ContainerId, long TimeoutSeconds)> Stops
    {
        get
        {
            lock (_lock)
            {
                return _stops is null ? [] : [.. _stops];
            }
        }
    }

    /// <summary>The calls so far (method names without Async, e.g. "RunPodSandbox"), when recording.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls is null ? [] : [.. _calls];
            }
        }
    }

    /// <summary>The number of sandboxes (ready or not).</summary>
    public int SandboxCount
    {
        get
        {
            lock (_lock)
            {
                return _sandboxes.Count;
            }
        }
    }

    /// <summary>The number of containers (any state).</summary>
    public int ContainerCount
    {
        get
        {
            lock (_lock)
            {
                return _containers.Count;
            }
        }
    }

    /// <summary>The config sandbox <paramref name="sandboxId"/> was run with (a copy), or null for an unknown sandbox.</summary>
    public PodSandboxConfig? SandboxConfigOf(string sandboxId)
    {
        lock (_lock)
        {
            return _sandboxes.TryGetValue(sandboxId, out var sandbox) ? sandbox.Config.Clone() : null;
        }
    }

    /// <summary>The config container <paramref name="containerId"/> was created with (a copy), or null for an unknown container.</summary>
    public ContainerConfig? ContainerConfigOf(string containerId)
    {
        lock (_lock)
        {
            return _containers.TryGetValue(containerId, out var container) ? container.Config.Clone() : null;
        }
    }

    /// <summary>Makes the next call of <paramref name="method"/> (e.g. "CreateContainer") fail with <paramref name="code"/>.</summary>
    public void FailNext(string method, StatusCode code = StatusCode.Unknown, string message = "injected failure")
    {
        lock (_lock)
        {
            if (!_failures.TryGetValue(method, out var queue))
            {
                _failures[method] = queue = new Queue<RpcException>();
            }

            queue.Enqueue(new RpcException(new Status(code, message)));
        }
    }

    /// <summary>Makes a running container exit now (a crash or a normal end), with <paramref name="reason"/> (e.g. "OOMKilled").</summary>
    public void ExitContainer(string containerId, int exitCode, string reason = "")
    {
        lock (_lock)
        {
            var container = ContainerOrThrow(containerId);
            if (container.Status.State == ContainerState.ContainerRunning)
            {
                Exit(container, exitCode, reason);
            }
        }
    }

    /// <summary>
    /// Scripts ExecSync: <paramref name="handler"/> answers every command run in a running container (probes, hooks),
    /// by container name and command. Without a handler every command exits 0 with no output.
    /// </summary>
    public void OnExec(Func<FakeExec, FakeExecResult> handler)
    {
        lock (_lock)
        {
            _exec = handler;
        }
    }

    /// <inheritdoc/>
    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken)
    {
        Begin("Version");
        return Task.FromResult(new VersionResponse { Version = "0.1.0", RuntimeName = RuntimeName, RuntimeVersion = _options.RuntimeVersion, RuntimeApiVersion = "v1" });
    }

    /// <inheritdoc/>
    public Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken)
    {
        Begin("Status");
        return Task.FromResult(new RuntimeStatus
        {
            Conditions =
            {
                new RuntimeCondition { Type = "RuntimeReady", Status = true },
                new RuntimeCondition { Type = "NetworkReady", Status = true },
            },
        });
    }

    /// <inheritdoc/>
    public Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            Begin("RunPodSandbox");
            var ip = AllocateIP();
            var id = NewId();
            _sandboxes[id] = new SandboxRecord(config.Clone(), new PodSandboxStatus
            {
                Id = id,
                Metadata = config.Metadata?.Clone() ?? new PodSandboxMetadata(),
                State = PodSandboxState.SandboxReady,
                CreatedAt = Now(),
                Network = new PodSandboxNetworkStatus { Ip = _options.PodIPPrefix + ip.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Labels = { config.Labels },
                Annotations = { config.Annotations },
                RuntimeHandler = runtimeHandler ?? string.Empty,
            }, ip);
            return Task.FromResult(id);
        }
    }

    /// <inheritdoc/>
    public Task StopPodSandboxAsync(string podSandboxId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("StopPodSandbox");
            if (_sandboxes.TryGetValue(podSandboxId, out var sandbox))
            {
                foreach (var container in _containers.Values.Where(c => c.SandboxId == podSandboxId && c.Status.State == ContainerState.ContainerRunning))
                {
                    Exit(container, _options.StopExitCode, string.Empty);
                }

                sandbox.Status.State = PodSandboxState.SandboxNotready;
                ReleaseIP(sandbox);
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task RemovePodSandboxAsync(string podSandboxId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("RemovePodSandbox");
            if (_sandboxes.Remove(podSandboxId, out var sandbox))
            {
                ReleaseIP(sandbox);
                foreach (var id in _containers.Values.Where(c => c.SandboxId == podSandboxId).Select(c => c.Status.Id).ToList())
                {
                    _containers.Remove(id);
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task<PodSandboxStatus> PodSandboxStatusAsync(string podSandboxId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("PodSandboxStatus");
            return Task.FromResult(SandboxOrThrow(podSandboxId).Status.Clone());
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(PodSandboxFilter? filter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ListPodSandbox");
            IReadOnlyList<PodSandbox> items = [.. _sandboxes.Values
                .Where(s => filter is null || (Matches(filter.Id, s.Status.Id) && (filter.State is null || filter.State.State == s.Status.State) && LabelsMatch(filter.LabelSelector, s.Status.Labels)))
                .OrderBy(s => s.Status.CreatedAt)
                .Select(s => new PodSandbox
                {
                    Id = s.Status.Id,
                    Metadata = s.Status.Metadata.Clone(),
                    State = s.Status.State,
                    CreatedAt = s.Status.CreatedAt,
                    Labels = { s.Status.Labels },
                    Annotations = { s.Status.Annotations },
                    RuntimeHandler = s.Status.RuntimeHandler,
                })];
            return Task.FromResult(items);
        }
    }

    /// <inheritdoc/>
    public Task<string> CreateContainerAsync(string podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            Begin("CreateContainer");
            var sandbox = SandboxOrThrow(podSandboxId);
            if (sandbox.Status.State != PodSandboxState.SandboxReady)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"sandbox {podSandboxId} is not ready"));
            }

            var name = config.Metadata?.Name ?? string.Empty;
            var attempt = config.Metadata?.Attempt ?? 0;
            if (_containers.Values.Any(c => c.SandboxId == podSandboxId && c.Status.Metadata.Name == name && c.Status.Metadata.Attempt == attempt))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"container {name} attempt {attempt} already exists in sandbox {podSandboxId}"));
            }

            var imageRef = config.Image?.Image ?? string.Empty;
            if (!_images.TryGetValue(imageRef, out var image))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"image \"{imageRef}\" not found"));
            }

            var id = NewId();
            _containers[id] = new ContainerRecord(podSandboxId, config.Clone(), new ContainerStatus
            {
                Id = id,
                Metadata = new ContainerMetadata { Name = name, Attempt = attempt },
                State = ContainerState.ContainerCreated,
                CreatedAt = Now(),
                Image = config.Image!.Clone(),
                ImageRef = image.Id,
                Labels = { config.Labels },
                Annotations = { config.Annotations },
                Mounts = { config.Mounts },
                LogPath = LogPathOf(sandbox.Config, config),
            });
            return Task.FromResult(id);
        }
    }

    /// <inheritdoc/>
    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("StartContainer");
            var container = ContainerOrThrow(containerId);
            if (container.Status.State != ContainerState.ContainerCreated)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"container {containerId} is in state {container.Status.State}, not created"));
            }

            container.Status.State = ContainerState.ContainerRunning;
            container.Status.StartedAt = Now();
            if (_options.Behavior?.Invoke(container.Config) is { ExitCode: { } exitCode } outcome)
            {
                Exit(container, exitCode, outcome.Reason);
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task StopContainerAsync(string containerId, long timeoutSeconds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("StopContainer");
            _stops?.Add((containerId, timeoutSeconds));
            if (_containers.TryGetValue(containerId, out var container) && container.Status.State == ContainerState.ContainerRunning)
            {
                Exit(container, _options.StopExitCode, string.Empty);
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("RemoveContainer");
            _containers.Remove(containerId);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Container>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ListContainers");
            IReadOnlyList<Container> items = [.. _containers.Values
                .Where(c => filter is null || (Matches(filter.Id, c.Status.Id) && Matches(filter.PodSandboxId, c.SandboxId) && (filter.State is null || filter.State.State == c.Status.State) && LabelsMatch(filter.LabelSelector, c.Status.Labels)))
                .OrderBy(c => c.Status.CreatedAt)
                .Select(c => new Container
                {
                    Id = c.Status.Id,
                    PodSandboxId = c.SandboxId,
                    Metadata = c.Status.Metadata.Clone(),
                    Image = c.Status.Image.Clone(),
                    ImageRef = c.Status.ImageRef,
                    State = c.Status.State,
                    CreatedAt = c.Status.CreatedAt,
                    Labels = { c.Status.Labels },
                    Annotations = { c.Status.Annotations },
                })];
            return Task.FromResult(items);
        }
    }

    /// <inheritdoc/>
    public Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ContainerStatus");
            return Task.FromResult(ContainerOrThrow(containerId).Status.Clone());
        }
    }

    /// <inheritdoc/>
    public async Task<ExecSyncResponse> ExecSyncAsync(string containerId, IReadOnlyList<string> command, long timeoutSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        FakeExec exec;
        Func<FakeExec, FakeExecResult>? handler;
        lock (_lock)
        {
            Begin("ExecSync");
            var container = ContainerOrThrow(containerId);
            if (container.Status.State != ContainerState.ContainerRunning)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"container {containerId} is not running"));
            }

            exec = new FakeExec(containerId, container.Status.Metadata.Name, [.. command], timeoutSeconds);
            handler = _exec;
        }

        // The handler runs outside the lock (it may wait, to simulate a slow command).
        var result = handler is null ? new FakeExecResult(0) : handler(exec);
        if (result.Delay is { } delay)
        {
            if (timeoutSeconds > 0 && delay > TimeSpan.FromSeconds(timeoutSeconds))
            {
                await Task.Delay(TimeSpan.FromSeconds(timeoutSeconds), _options.Time, cancellationToken).ConfigureAwait(false);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"command {string.Join(' ', command)} timed out after {timeoutSeconds}s"));
            }

            await Task.Delay(delay, _options.Time, cancellationToken).ConfigureAwait(false);
        }

        return new ExecSyncResponse
        {
            ExitCode = result.ExitCode,
            Stdout = Google.Protobuf.ByteString.CopyFromUtf8(result.Stdout),
            Stderr = Google.Protobuf.ByteString.CopyFromUtf8(result.Stderr),
        };
    }

    private static bool Matches(string wanted, string actual) => string.IsNullOrEmpty(wanted) || wanted == actual;

    private static bool LabelsMatch(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    // Fails the call when a failure was injected for it; records it when recording. Called under the lock or alone.
    private void Begin(string method)
    {
        lock (_lock)
        {
            _calls?.Add(method);
            if (_failures.TryGetValue(method, out var queue) && queue.TryDequeue(out var failure))
            {
                throw failure;
            }
        }
    }

    private void Exit(ContainerRecord container, int exitCode, string reason)
    {
        container.Status.State = ContainerState.ContainerExited;
        container.Status.FinishedAt = Now();
        container.Status.ExitCode = exitCode;
        container.Status.Reason = !string.IsNullOrEmpty(reason) ? reason : exitCode == 0 ? "Completed" : "Error";
    }

    private SandboxRecord SandboxOrThrow(string id) =>
        _sandboxes.TryGetValue(id, out var sandbox) ? sandbox : throw new RpcException(new Status(StatusCode.NotFound, $"an error occurred when try to find sandbox: not found: {id}"));

    private ContainerRecord ContainerOrThrow(string id) =>
        _containers.TryGetValue(id, out var container) ? container : throw new RpcException(new Status(StatusCode.NotFound, $"an error occurred when try to find container \"{id}\": not found"));

    private string NewId() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{_options.IdSeed}/{++_nextId}")));

    private long Now() => (_options.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private int AllocateIP()
    {
        for (var i = 2; i < 255; i++)
        {
            if (!_ipsInUse[i])
            {
                _ipsInUse[i] = true;
                return i;
            }
        }

        throw new RpcException(new Status(StatusCode.ResourceExhausted, "no pod IP left in " + _options.PodIPPrefix + "0/24"));
    }

    private void ReleaseIP(SandboxRecord sandbox)
    {
        if (sandbox.IP > 0)
        {
            _ipsInUse[sandbox.IP] = false;
            sandbox.IP = 0;
        }
    }

    private sealed class SandboxRecord(PodSandboxConfig config, PodSandboxStatus status, int ip)
    {
        public PodSandboxConfig Config { get; } = config;

        public PodSandboxStatus Status { get; } = status;

        public int IP { get; set; } = ip;
    }

    private sealed record ContainerRecord(string SandboxId, ContainerConfig Config, ContainerStatus Status);
}
