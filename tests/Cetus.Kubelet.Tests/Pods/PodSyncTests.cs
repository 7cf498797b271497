using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>Pod sync over the fake runtime, with a fake API client and a fake clock.</summary>
public sealed class PodSyncTests
{
    private readonly ManualTime _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeRuntime _runtime;
    private readonly PodSync _sync;

    public PodSyncTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions
        {
            Time = _time,
            Images = ["nginx:1.27", "busybox:1.35"],
            Behavior = c => c.Labels[CriLabels.ContainerKind] == CriLabels.Init ? (c.Metadata.Name == "bad-init" ? new FakeContainerOutcome(3) : FakeContainerOutcome.Succeed) : FakeContainerOutcome.Run,
        });
        _runtime.RecordCalls();
        _sync = new PodSync(new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName), new PodStatusManager(_client), _client, "192.168.0.7", _time);
    }

    [Fact]
    public async Task Sync_RunsTheSandbox_ThenInitContainersInOrder_ThenTheApps_AndReportsRunningReady()
    {
        var pod = Pod("web", init: [Container("i1", "busybox:1.35"), Container("i2", "busybox:1.35")], containers: [Container("a"), Container("b")]);
        _client.Add(pod);

        Assert.Equal(PodSyncResult.Running, await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None));

        var created = _runtime.Calls.Where(c => c is "RunPodSandbox" or "CreateContainer" or "StartContainer").ToList();
        Assert.Equal(["RunPodSandbox", "CreateContainer", "StartContainer", "CreateContainer", "StartContainer", "CreateContainer", "StartContainer", "CreateContainer", "StartContainer"], created);
        var order = (await _runtime.ListContainersAsync(null, CancellationToken.None)).Select(c => c.Metadata.Name);
        Assert.Equal(["i1", "i2", "a", "b"], order);

        var status = _client.Pod("web").Status;
        Assert.Equal(("Running", "192.168.0.7", "10.88.0.2"), (status.Phase, status.HostIP, status.PodIP));
        Assert.All(status.Conditions, c => Assert.Equal("True", c.Status));
        Assert.All(status.ContainerStatuses, c => Assert.True(c.Ready));
        Assert.All(status.InitContainerStatuses, c => Assert.Equal(0, c.State.Terminated.ExitCode));
    }

    [Fact]
    public async Task Sync_OfAnUnchangedPod_DoesNotWriteAgain()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Single(_client.PodPatches);

        _time.Advance(TimeSpan.FromMinutes(1));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Single(_client.PodPatches);
        Assert.Equal(1, _runtime.SandboxCount);
        Assert.Equal(1, _runtime.ContainerCount);
    }

    [Fact]
    public async Task Sync_ReadsTheRuntimeOnce_WhenNothingChanges()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var before = _runtime.Calls.Count;

        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        // One listing of the sandbox and its containers serves both the (empty) step and the status.
        var calls = _runtime.Calls.Skip(before).ToList();
        Assert.Equal(1, calls.Count(c => c == "ListPodSandbox"));
        Assert.Equal(1, calls.Count(c => c == "ListContainers"));
        Assert.Equal(1, calls.Count(c => c == "ContainerStatus"));
    }

    [Fact]
    public async Task Sync_OfANewPod_ListsTheRuntimeOnce_AndReadsWhatItMadeOnce()
    {
        _client.Add(Pod("web", containers: [Container("a"), Container("b")]));

        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        // As upstream's SyncPod: one look for an existing sandbox, then each step goes on from what the last one made
        // (the sandbox's status once for its IP, each started container's status once for the pod status).
        var calls = _runtime.Calls.Where(c => c is not ("ImageStatus" or "ListImages")).ToList();
        Assert.Equal(
            ["ListPodSandbox", "RunPodSandbox", "PodSandboxStatus", "CreateContainer", "StartContainer", "CreateContainer", "StartContainer", "ContainerStatus", "ContainerStatus"],
            calls);
        var status = _client.Pod("web").Status;
        Assert.Equal(("Running", "10.88.0.2"), (status.Phase, status.PodIP));
        Assert.All(status.ContainerStatuses, c => Assert.NotNull(c.State.Running));
        Assert.All(status.ContainerStatuses, c => Assert.StartsWith("fake://", c.ContainerID, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_AfterTheSandboxDied_ListsAgain_AndRunsANewOne()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var first = (await _runtime.ListPodSandboxAsync(null, CancellationToken.None)).Single().Id;
        await _runtime.StopPodSandboxAsync(first, CancellationToken.None);

        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        var sandboxes = await _runtime.ListPodSandboxAsync(null, CancellationToken.None);
        var ready = Assert.Single(sandboxes, s => s.State == PodSandboxState.SandboxReady);
        Assert.NotEqual(first, ready.Id);
        Assert.Equal(1u, ready.Metadata.Attempt);
        var status = _client.Pod("web").Status;
        Assert.Equal("Running", status.Phase);
        Assert.Contains(ready.Id, (await _runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, CancellationToken.None)).Select(c => c.PodSandboxId));
    }

    [Fact]
    public async Task PodWorkers_Observe_KeepsTheNewerPodForTheNextSync_WithoutSyncing()
    {
        using var stop = new CancellationTokenSource();
        var workers = new PodWorkers(_sync, stop.Token, _time);
        _client.Add(Pod("a"));
        workers.Update(_client.Pod("a"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Single(_client.PodPatches);
        var before = _runtime.Calls.Count;

        // The written status coming back: no sync now.
        workers.Observe(_client.Pod("a"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(before, _runtime.Calls.Count);

        // The next sync compares with the observed status: nothing to write again.
        workers.Requeue("uid-a");
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.True(_runtime.Calls.Count > before);
        Assert.Single(_client.PodPatches);
    }

    [Fact]
    public async Task StatusPatch_CarriesOnlyKubeletConditions_SoOtherWritersConditionsStay()
    {
        var pod = Pod("web");
        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "example.com/custom", Status = "True" }] };
        _client.Add(pod);
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        var patch = Assert.Single(_client.PodPatches);
        Assert.Contains("\"uid\":\"uid-web\"", patch, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com/custom", patch, StringComparison.Ordinal);
        Assert.Contains(_client.Pod("web").Status.Conditions, c => c.Type == "example.com/custom" && c.Status == "True");
    }

    [Fact]
    public async Task FailedInitContainer_WithRestartNever_FailsThePod_AndNoAppContainerRuns()
    {
        _client.Add(Pod("job", "Never", init: [Container("bad-init", "busybox:1.35")], containers: [Container("a")]));
        await _sync.SyncAsync(_client.Pod("job"), CancellationToken.None);

        var status = _client.Pod("job").Status;
        Assert.Equal("Failed", status.Phase);
        Assert.Equal(3, status.InitContainerStatuses[0].State.Terminated.ExitCode);
        Assert.DoesNotContain(await _runtime.ListContainersAsync(null, CancellationToken.None), c => c.Metadata.Name == "a");
        // A finished pod's sandbox is stopped.
        Assert.All(await _runtime.ListPodSandboxAsync(null, CancellationToken.None), s => Assert.Equal(PodSandboxState.SandboxNotready, s.State));
    }

    [Fact]
    public async Task CrashedContainer_RestartsAsANewAttempt_WithRestartCountAndLastState()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var first = Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
        _runtime.ExitContainer(first.Id, 1);

        _time.Advance(TimeSpan.FromSeconds(3));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        var app = _client.Pod("web").Status.ContainerStatuses.Single();
        Assert.Equal((1, 1, "Error"), (app.RestartCount, app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason));
        Assert.NotNull(app.State.Running);
        Assert.Equal("Running", _client.Pod("web").Status.Phase);
    }

    [Fact]
    public async Task OnFailure_PodWhoseContainersSucceed_EndsSucceeded_AndIsNotRestarted()
    {
        _client.Add(Pod("job", "OnFailure"));
        await _sync.SyncAsync(_client.Pod("job"), CancellationToken.None);
        _runtime.ExitContainer(Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None)).Id, 0);

        await _sync.SyncAsync(_client.Pod("job"), CancellationToken.None);
        Assert.Equal("Succeeded", _client.Pod("job").Status.Phase);
        await _sync.SyncAsync(_client.Pod("job"), CancellationToken.None);
        Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task ImagePullPolicyNever_WithAMissingImage_WaitsWithErrImageNeverPull()
    {
        var container = Container("a", "missing:1.0");
        container.ImagePullPolicy = "Never";
        _client.Add(Pod("web", containers: [container]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);

        var status = _client.Pod("web").Status;
        Assert.Equal("Pending", status.Phase);
        Assert.Equal("ErrImageNeverPull", status.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("Container image \"missing:1.0\" is not present with pull policy of Never", status.ContainerStatuses[0].State.Waiting.Message);
    }

    [Fact]
    public async Task MissingImage_IfNotPresent_IsPulledThenRun()
    {
        _client.Add(Pod("web", containers: [Container("a", "redis:7.2")]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Contains("PullImage", _runtime.Calls);
        Assert.Equal("Running", _client.Pod("web").Status.Phase);
    }

    [Fact]
    public async Task GracefulDeletion_StopsContainers_WritesFinalStatus_RemovesTheSandbox_ThenDeletesWithGraceZero()
    {
        _client.Add(Pod("web", containers: [Container("a"), Container("b")]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var pod = _client.Pod("web");
        pod.Metadata.DeletionTimestamp = _time.GetUtcNow().UtcDateTime.AddSeconds(30);
        pod.Metadata.DeletionGracePeriodSeconds = 30;
        _client.Actions.Clear();

        Assert.Equal(PodSyncResult.Terminated, await _sync.SyncAsync(pod, CancellationToken.None));

        Assert.Equal(["patch pod status default/web", "delete pod default/web grace 0 uid uid-web"], _client.Actions);
        var final = KubernetesStatus(_client.PodPatches[^1]);
        Assert.Equal("Succeeded", final["phase"]);
        Assert.Equal(0, _runtime.SandboxCount);
        Assert.Equal(0, _runtime.ContainerCount);
        Assert.Empty(_client.Pods);
        var stops = _runtime.Calls.SkipWhile(c => c != "StopContainer").ToList();
        Assert.Equal(["StopContainer", "StopContainer"], stops.Take(2));
        Assert.True(stops.IndexOf("RemovePodSandbox") > stops.IndexOf("StopPodSandbox"));
    }

    [Fact]
    public async Task Forget_CleansTheRuntime_OfAPodGoneFromTheApi()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        await _sync.ForgetAsync("uid-web", CancellationToken.None);
        Assert.Equal((0, 0), (_runtime.SandboxCount, _runtime.ContainerCount));
    }

    [Fact]
    public async Task DeadSandbox_IsReplaced_AndContainersStartAgain()
    {
        _client.Add(Pod("web"));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var sandbox = Assert.Single(await _runtime.ListPodSandboxAsync(null, CancellationToken.None));
        await _runtime.StopPodSandboxAsync(sandbox.Id, CancellationToken.None);

        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var now = Assert.Single(await _runtime.ListPodSandboxAsync(null, CancellationToken.None));
        Assert.NotEqual(sandbox.Id, now.Id);
        Assert.Equal((PodSandboxState.SandboxReady, 1u), (now.State, now.Metadata.Attempt));
        Assert.Equal("Running", _client.Pod("web").Status.Phase);
    }

    [Fact]
    public async Task PodWorkers_SyncPodsAndForgetRemovedOnes()
    {
        using var stop = new CancellationTokenSource();
        var workers = new PodWorkers(_sync, stop.Token, _time);
        _client.Add(Pod("a"));
        _client.Add(Pod("b"));
        workers.Update(_client.Pod("a"));
        workers.Update(_client.Pod("b"));
        workers.Update(_client.Pod("a"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(2, _runtime.SandboxCount);
        Assert.Equal("Running", _client.Pod("a").Status.Phase);

        workers.Remove(_client.Pod("a"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal((1, 1), (_runtime.SandboxCount, workers.Count));
    }

    private static Dictionary<string, string?> KubernetesStatus(string patch) =>
        System.Text.Json.Nodes.JsonNode.Parse(patch)!["status"]!.AsObject().Where(p => p.Value is System.Text.Json.Nodes.JsonValue).ToDictionary(p => p.Key, p => (string?)p.Value!.ToString());
}
