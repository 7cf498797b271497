using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Env;

/// <summary>Container env from every source, as the runtime receives it.</summary>
public sealed class EnvironmentTests : IDisposable
{
    private readonly PodSpecFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task Values_ExpandEarlierVariables_AndEnvOverridesEnvFrom()
    {
        _node.Client.AddConfigMap("settings", new() { ["MODE"] = "fast", ["LEVEL"] = "3", ["bad key"] = "skipped", ["1BAD"] = "skipped" });
        _node.Client.AddSecret("creds", new() { ["PASSWORD"] = "s3cret" });
        var app = Container("app");
        app.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } }, new V1EnvFromSource { Prefix = "DB_", SecretRef = new V1SecretEnvSource { Name = "creds" } }];
        app.Env =
        [
            new V1EnvVar { Name = "GREETING", Value = "hello $(MODE) $(MISSING) $$(MODE)" },
            new V1EnvVar { Name = "LEVEL", Value = "9" },
            new V1EnvVar { Name = "CHAIN", Value = "$(GREETING)!" },
        ];
        app.Command = ["sh", "-c", "echo $(LEVEL)"];
        await _node.RunAsync(Pod("web", containers: [app]));

        var config = await _node.ContainerConfigAsync("app");
        var env = config.Envs.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("fast", env["MODE"]);
        Assert.Equal("9", env["LEVEL"]);
        Assert.Equal("s3cret", env["DB_PASSWORD"]);
        Assert.Equal("hello fast $(MISSING) $(MODE)", env["GREETING"]);
        Assert.Equal("hello fast $(MISSING) $(MODE)!", env["CHAIN"]);
        Assert.False(env.ContainsKey("bad key"));
        Assert.False(env.ContainsKey("1BAD"));
        Assert.Equal(["sh", "-c", "echo 9"], config.Command);
    }

    [Fact]
    public async Task FieldRefs_GiveThePodsMetadataSpecAndStatus()
    {
        var app = Container("app");
        string[] paths =
        [
            "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['tier']", "metadata.annotations['note']",
            "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
        ];
        app.Env = [.. paths.Select((p, i) => new V1EnvVar { Name = $"F{i}", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = p } } })];
        var pod = Pod("web", containers: [app]);
        pod.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "front" };
        pod.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "hi" };
        pod.Spec.ServiceAccountName = "robot";
        await _node.RunAsync(pod);

        var env = (await _node.ContainerConfigAsync("app")).Envs.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(["web", "default", "uid-web", "front", "hi", "node-1", "robot", "192.168.0.7", "192.168.0.7", "10.88.0.2", "10.88.0.2"], paths.Select((_, i) => env[$"F{i}"]));
    }

    [Fact]
    public async Task ResourceFieldRefs_DivideAndRoundUp_AndUnsetLimitsAreTheNodesAllocatable()
    {
        var app = Container("app", cpu: "250m", memory: "64Mi", limitMemory: "128Mi");
        V1EnvVar Resource(string name, string resource, string? divisor = null) => new()
        {
            Name = name,
            ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) } },
        };
        app.Env =
        [
            Resource("REQ_CPU", "requests.cpu"),
            Resource("REQ_CPU_M", "requests.cpu", "1m"),
            Resource("LIM_MEM_MI", "limits.memory", "1Mi"),
            Resource("REQ_MEM", "requests.memory"),
            Resource("LIM_CPU", "limits.cpu"),
            Resource("LIM_STORAGE_GI", "limits.ephemeral-storage", "1Gi"),
        ];
        await _node.RunAsync(Pod("web", containers: [app]));

        var env = (await _node.ContainerConfigAsync("app")).Envs.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("1", env["REQ_CPU"]);
        Assert.Equal("250", env["REQ_CPU_M"]);
        Assert.Equal("128", env["LIM_MEM_MI"]);
        Assert.Equal("67108864", env["REQ_MEM"]);
        Assert.Equal("4", env["LIM_CPU"]);
        Assert.Equal("100", env["LIM_STORAGE_GI"]);
    }

    [Fact]
    public async Task KeyRefs_ReadConfigMapsAndSecrets_AndOptionalMissingOnesAreLeftOut()
    {
        _node.Client.AddConfigMap("settings", new() { ["mode"] = "fast" });
        _node.Client.AddSecret("creds", new() { ["password"] = "s3cret" });
        var app = Container("app");
        app.Env =
        [
            new V1EnvVar { Name = "MODE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "mode" } } },
            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
            new V1EnvVar { Name = "NO_KEY", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "nope", Optional = true } } },
            new V1EnvVar { Name = "NO_MAP", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "x", Optional = true } } },
            new V1EnvVar { Name = "NO_SECRET", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "absent", Key = "x", Optional = true } } },
        ];
        app.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "absent", Optional = true } }];
        await _node.RunAsync(Pod("web", containers: [app]));

        var env = (await _node.ContainerConfigAsync("app")).Envs.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "fast", ["PASSWORD"] = "s3cret" }, env);
    }

    [Theory]
    [InlineData("configMapKeyRef", "configmap \"absent\" not found")]
    [InlineData("secretKeyRef", "secret \"absent\" not found")]
    [InlineData("configMapRef", "configmap \"absent\" not found")]
    [InlineData("secretRef", "secret \"absent\" not found")]
    [InlineData("missingKey", "couldn't find key nope in ConfigMap default/settings")]
    public async Task MissingRequiredSource_LeavesTheContainerWaiting_WithCreateContainerConfigError(string kind, string message)
    {
        _node.Client.AddConfigMap("settings", new() { ["mode"] = "fast" });
        var app = Container("app");
        switch (kind)
        {
            case "configMapKeyRef":
                app.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "x" } } }];
                break;
            case "secretKeyRef":
                app.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "absent", Key = "x" } } }];
                break;
            case "configMapRef":
                app.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "absent" } }];
                break;
            case "secretRef":
                app.EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "absent" } }];
                break;
            default:
                app.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "nope" } } }];
                break;
        }

        var pod = await _node.RunAsync(Pod("web", containers: [app]));

        var waiting = Assert.Single(pod.Status.ContainerStatuses).State.Waiting;
        Assert.Equal((ContainerConfigException.Reason, message), (waiting.Reason, waiting.Message));
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal(0, _node.Runtime.ContainerCount);

        // Once the source exists, the next sync creates the container.
        _node.Client.AddConfigMap("absent", new() { ["x"] = "1" });
        _node.Client.AddSecret("absent", new() { ["x"] = "1" });
        _node.Client.AddConfigMap("settings", new() { ["nope"] = "1" });
        pod = await _node.RunAsync(pod);
        Assert.NotNull(Assert.Single(pod.Status.ContainerStatuses).State.Running);
    }
}
