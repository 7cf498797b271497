using Cetus.Cri.V1;

namespace Cetus.Cri.Fake;

/// <summary>What a fake container does when started: keep running (null exit code) or exit at once.</summary>
/// <param name="ExitCode">The exit code to end with at once, or null to run until stopped.</param>
/// <param name="Reason">The reason to report (defaults: Completed for 0, Error otherwise).</param>
public sealed record FakeContainerOutcome(int? ExitCode, string Reason = "")
{
    /// <summary>Runs until stopped.</summary>
    public static FakeContainerOutcome Run { get; } = new((int?)null);

    /// <summary>Exits 0 at once.</summary>
    public static FakeContainerOutcome Succeed { get; } = new(0);
}

/// <summary>One command run in a fake container (what <see cref="FakeRuntime.OnExec"/> handlers see).</summary>
/// <param name="ContainerId">The container's id.</param>
/// <param name="ContainerName">The container's name (its metadata name, the pod spec's name).</param>
/// <param name="Command">The command and its arguments.</param>
/// <param name="TimeoutSeconds">The timeout asked for (0: none).</param>
public sealed record FakeExec(string ContainerId, string ContainerName, IReadOnlyList<string> Command, long TimeoutSeconds);

/// <summary>The outcome of a fake command.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">Its output.</param>
/// <param name="Stderr">Its error output.</param>
/// <param name="Delay">How long it runs (on the runtime's clock); longer than the timeout fails with DeadlineExceeded.</param>
public sealed record FakeExecResult(int ExitCode, string Stdout = "", string Stderr = "", TimeSpan? Delay = null);

/// <summary>How a <see cref="FakeRuntime"/> behaves.</summary>
public sealed record FakeRuntimeOptions
{
    /// <summary>The clock for created/started/finished times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Pod IPs are this prefix plus 2..254 (a /24 per runtime, like a node's podCIDR).</summary>
    public string PodIPPrefix { get; init; } = "10.88.0.";

    /// <summary>What a container does when started (null: every container runs until stopped).</summary>
    public Func<ContainerConfig, FakeContainerOutcome>? Behavior { get; init; }

    /// <summary>The exit code of a container stopped by StopContainer/StopPodSandbox (0: it handled SIGTERM).</summary>
    public int StopExitCode { get; init; }

    /// <summary>Images present from the start.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The runtime version reported by Version.</summary>
    public string RuntimeVersion { get; init; } = "0.1.0";

    /// <summary>Mixed into ids, so that the ids of different runtimes differ.</summary>
    public string IdSeed { get; init; } = Guid.NewGuid().ToString("N");
}
