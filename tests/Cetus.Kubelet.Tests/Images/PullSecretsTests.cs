using System.Text;
using System.Text.Json;
using Cetus.Cri.Fake;
using Cetus.Kubelet.Images;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Cetus.Kubelet.Tests.Probes;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Images;

/// <summary>Image pull secrets reach PullImage as CRI AuthConfig, tried in turn as upstream's PullImage.</summary>
public sealed class PullSecretsTests
{
    // The fake runtime lets only alice (any non-empty password) pull from alice.auth.invalid.
    private const string Private = "alice.auth.invalid/app:1";
    private readonly TimerClock _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeEventSink _events = new();
    private readonly FakeRuntime _runtime;
    private readonly ImageManager _images;

    public PullSecretsTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time });
        _runtime.RecordCalls();
        _images = new ImageManager(_runtime, _time, _events, _client);
    }

    [Fact]
    public async Task MatchingCredentials_AreTriedInTurn_UntilOneWorks()
    {
        AddSecret("mallory", "alice.auth.invalid", "mallory", "pw");
        AddSecret("alice", "https://alice.auth.invalid/v1/", "alice", "s3cret");
        AddSecret("other", "registry.example", "carol", "pw");
        var pod = PodWithSecrets(Private, "mallory", "other", "alice");

        Assert.Null(await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None));

        var pulls = _runtime.Pulls;
        Assert.Equal(2, pulls.Count);
        Assert.All(pulls, p => Assert.Equal(Private, p.Image));
        Assert.Equal(("mallory", "pw"), (pulls[0].Auth!.Username, pulls[0].Auth!.Password));
        Assert.Equal(("alice", "s3cret"), (pulls[1].Auth!.Username, pulls[1].Auth!.Password));
        Assert.NotNull(await _runtime.ImageStatusAsync(new() { Image = Private }, CancellationToken.None));
    }

    [Fact]
    public async Task NoMatchingCredential_PullsAnonymously_AndTheRegistryRefusesIt()
    {
        AddSecret("other", "registry.example", "alice", "pw");
        var pod = PodWithSecrets(Private, "other");

        var waiting = await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None);

        Assert.Equal(ImageManager.ErrImagePull, waiting?.Reason);
        Assert.Equal($"rpc error: code = Unknown desc = failed to pull and unpack image \"{Private}\": failed to resolve reference \"{Private}\": unexpected status from HEAD request to https://alice.auth.invalid/v2/app/manifests/1: 401 Unauthorized", waiting?.Message);
        Assert.Null(Assert.Single(_runtime.Pulls).Auth);
    }

    [Fact]
    public async Task EveryCredentialFailing_IsOneErrImagePull_WithEachError()
    {
        AddSecret("bob", "alice.auth.invalid", "bob", "pw");
        AddSecret("carol", "*.auth.invalid", "carol", "pw");
        var pod = PodWithSecrets(Private, "bob", "carol");

        var waiting = await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None);

        Assert.Equal(ImageManager.ErrImagePull, waiting?.Reason);
        Assert.StartsWith("[rpc error: code = Unknown desc = ", waiting?.Message, StringComparison.Ordinal);
        Assert.Equal(2, waiting!.Message.Split("401 Unauthorized").Length - 1);
        Assert.Equal(["bob", "carol"], _runtime.Pulls.Select(p => p.Auth?.Username));
        Assert.True(_images.Backoff.IsInBackOffSinceUpdate(ContainerBackoff.Key(pod.Metadata.Uid, Private), out _));
    }

    [Fact]
    public async Task MissingSecret_IsReported_AndThePullGoesOnWithTheOthers()
    {
        AddSecret("alice", "alice.auth.invalid", "alice", "pw");
        var pod = PodWithSecrets(Private, "gone", "alice");

        Assert.Null(await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None));

        var warning = Assert.Single(_events.Events, e => e.Reason == ImageManager.FailedToRetrieveImagePullSecret);
        Assert.Equal("Warning", warning.Type);
        Assert.Equal("Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.", warning.Message);
        Assert.Null(warning.Involved.FieldPath);
        Assert.Equal("alice", Assert.Single(_runtime.Pulls).Auth?.Username);
    }

    [Fact]
    public async Task DockerHubCredentials_ApplyToUnqualifiedImages()
    {
        AddSecret("hub", "https://index.docker.io/v1/", "hubuser", "pw");
        var pod = PodWithSecrets("busybox:1.36", "hub");

        Assert.Null(await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None));

        Assert.Equal("hubuser", Assert.Single(_runtime.Pulls).Auth?.Username);
    }

    [Fact]
    public async Task AnUnparsableSecret_FailsThePull_WithoutCallingTheRuntime()
    {
        _client.Secrets["default/broken"] = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "broken", NamespaceProperty = "default" },
            Type = DockerKeyring.DockerConfigJsonType,
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes("{\"auths\":{\"x\":{\"auth\":\"bm9jb2xvbg==\"}}}") },
        };
        var pod = PodWithSecrets(Private, "broken");

        var waiting = await _images.EnsureImageAsync(pod, pod.Spec.Containers[0], null, CancellationToken.None);

        Assert.Equal(ImageManager.ErrImagePull, waiting?.Reason);
        Assert.Contains("base64(username:password)", waiting?.Message, StringComparison.Ordinal);
        Assert.Empty(_runtime.Pulls);
    }

    [Fact]
    public async Task PodSync_PassesThePodsPullSecrets_ThroughTheNodesObjectReader()
    {
        AddSecret("alice", "alice.auth.invalid", "alice", "pw");
        var manager = new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName, _time, configs: new PodConfigs(_runtime, PodConfigs.BareNode, _client), events: _events);
        var sync = new PodSync(manager, new PodStatusManager(_client), _client, "192.168.0.7", _time);
        _client.Add(PodWithSecrets(Private, "alice"));

        await sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);

        Assert.Equal("alice", Assert.Single(_runtime.Pulls).Auth?.Username);
        Assert.NotNull(Assert.Single(_client.Pod("web").Status.ContainerStatuses).State.Running);
    }

    private static V1Pod PodWithSecrets(string image, params string[] secrets)
    {
        var pod = Pod("web", containers: [Container("app", image: image)]);
        pod.Spec.ImagePullSecrets = [.. secrets.Select(s => new V1LocalObjectReference { Name = s })];
        return pod;
    }

    private void AddSecret(string name, string location, string username, string password) =>
        _client.Secrets[$"default/{name}"] = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Type = DockerKeyring.DockerConfigJsonType,
            Data = new Dictionary<string, byte[]>
            {
                [".dockerconfigjson"] = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [location] = new { username, password } } })),
            },
        };
}
