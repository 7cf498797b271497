using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Pods;

public sealed class PodValidationTests
{
    private const string LabelRule = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    public static TheoryData<string, string> Cases => new()
    {
        { "no image", "spec.containers[0].image: Required value" },
        { "no containers", "spec.containers: Required value" },
        { "container name not a label", "spec.containers[0].name: Invalid value: \"App\": " + LabelRule },
        { "duplicate container names", "spec.containers[1].name: Duplicate value: \"app\"" },
        { "unknown restart policy", "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"" },
        { "port out of range", "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { "unknown protocol", "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"" },
        { "duplicate port names", "spec.containers[0].ports[1].name: Duplicate value: \"http\"" },
        { "port name too long", "spec.containers[0].ports[0].name: Invalid value: \"a-very-long-port-name\": must be no more than 15 characters" },
        { "env name with equals", "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='" },
        { "env with two sources", "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more than one field specified at a time" },
        { "mount of a missing volume", "spec.containers[0].volumeMounts[0].name: Not found: \"data\"" },
        { "duplicate volume names", "spec.volumes[1].name: Duplicate value: \"data\"" },
        { "volume with two sources", "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type" },
        { "secret volume without a name", "spec.volumes[0].secret.secretName: Required value" },
        { "hostPath with backsteps", "spec.volumes[0].hostPath.path: Invalid value: \"/var/../etc\": must not contain '..'" },
        { "restartPolicy on a regular container", "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers" },
        { "init container restartPolicy OnFailure", "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"" },
        { "probe on a plain init container", "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always" },
        { "init container named like a container", "spec.initContainers[0].name: Duplicate value: \"app\"" },
        { "request above limit", "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1" },
        { "negative memory", "spec.containers[0].resources.limits[memory]: Invalid value: \"-1\": must be greater than or equal to 0" },
        { "unknown unprefixed resource", "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers" },
        { "tolerationSeconds without NoExecute", "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set" },
        { "ephemeral containers on create", "spec.ephemeralContainers: Forbidden: cannot be set on create" },
        { "zero activeDeadlineSeconds", "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive" },
        { "liveness success threshold", "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
        { "probe without handler", "spec.containers[0].readinessProbe: Required value: must specify a handler type" },
        { "sleep longer than grace", "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep." },
        { "host port differs under hostNetwork", "spec.containers[0].ports[0].hostPort: Invalid value: 9090: must match `containerPort` when `hostNetwork` is true" },
        { "same host port twice", "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\"" },
        { "image with spaces around", "spec.containers[0].image: Invalid value: \" nginx \": must not have leading or trailing whitespace" },
        { "pod name not a subdomain", "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "no namespace", "metadata.namespace: Required value" },
        { "nodeName with schedulingGates", "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared" },
    };

    private static readonly Dictionary<string, Action<V1Pod>> Edits = new()
    {
        ["no image"] = p => p.Spec.Containers[0].Image = null,
        ["no containers"] = p => p.Spec.Containers.Clear(),
        ["container name not a label"] = p => p.Spec.Containers[0].Name = "App",
        ["duplicate container names"] = p => p.Spec.Containers.Add(PodBuilder.Container("app")),
        ["unknown restart policy"] = p => p.Spec.RestartPolicy = "Sometimes",
        ["port out of range"] = p => p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 70000 }],
        ["unknown protocol"] = p => p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, Protocol = "HTTP" }],
        ["duplicate port names"] = p => p.Spec.Containers[0].Ports =
            [new V1ContainerPort { Name = "http", ContainerPort = 80 }, new V1ContainerPort { Name = "http", ContainerPort = 81 }],
        ["port name too long"] = p => p.Spec.Containers[0].Ports = [new V1ContainerPort { Name = "a-very-long-port-name", ContainerPort = 80 }],
        ["env name with equals"] = p => p.Spec.Containers[0].Env = [new V1EnvVar { Name = "A=B", Value = "1" }],
        ["env with two sources"] = p => p.Spec.Containers[0].Env =
        [
            new V1EnvVar
            {
                Name = "NODE",
                ValueFrom = new V1EnvVarSource
                {
                    FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" },
                    ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "node" },
                },
            },
        ],
        ["mount of a missing volume"] = p => p.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }],
        ["duplicate volume names"] = p => p.Spec.Volumes = [new V1Volume { Name = "data" }, new V1Volume { Name = "data" }],
        ["volume with two sources"] = p => p.Spec.Volumes =
            [new V1Volume { Name = "data", Secret = new V1SecretVolumeSource { SecretName = "s" }, ConfigMap = new V1ConfigMapVolumeSource { Name = "c" } }],
        ["secret volume without a name"] = p => p.Spec.Volumes = [new V1Volume { Name = "data", Secret = new V1SecretVolumeSource() }],
        ["hostPath with backsteps"] = p => p.Spec.Volumes = [new V1Volume { Name = "data", HostPath = new V1HostPathVolumeSource { Path = "/var/../etc" } }],
        ["restartPolicy on a regular container"] = p => p.Spec.Containers[0].RestartPolicy = "Always",
        ["init container restartPolicy OnFailure"] = p => p.Spec.InitContainers = [Init("setup", "OnFailure")],
        ["probe on a plain init container"] = p => p.Spec.InitContainers = [Init("setup", null, Exec())],
        ["init container named like a container"] = p => p.Spec.InitContainers = [Init("app", null)],
        ["request above limit"] = p => p.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = PodBuilder.Resources(("cpu", "1")),
            Requests = PodBuilder.Resources(("cpu", "2")),
        },
        ["negative memory"] = p => p.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = PodBuilder.Resources(("memory", "-1")) },
        ["unknown unprefixed resource"] = p => p.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = PodBuilder.Resources(("gpu", "1")) },
        ["tolerationSeconds without NoExecute"] = p => p.Spec.Tolerations =
            [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoSchedule", TolerationSeconds = 10 }],
        ["ephemeral containers on create"] = p => p.Spec.EphemeralContainers = [new V1EphemeralContainer { Name = "debug", Image = "busybox" }],
        ["zero activeDeadlineSeconds"] = p => p.Spec.ActiveDeadlineSeconds = 0,
        ["liveness success threshold"] = p => p.Spec.Containers[0].LivenessProbe = Exec(successThreshold: 2),
        ["probe without handler"] = p => p.Spec.Containers[0].ReadinessProbe = new V1Probe(),
        ["sleep longer than grace"] = p => p.Spec.Containers[0].Lifecycle = new V1Lifecycle
        {
            PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 60 } },
        },
        ["host port differs under hostNetwork"] = p =>
        {
            p.Spec.HostNetwork = true;
            p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 8080, HostPort = 9090 }];
        },
        ["same host port twice"] = p =>
        {
            p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080 }];
            var second = PodBuilder.Container("second");
            second.Ports = [new V1ContainerPort { ContainerPort = 81, HostPort = 8080 }];
            p.Spec.Containers.Add(second);
        },
        ["image with spaces around"] = p => p.Spec.Containers[0].Image = " nginx ",
        ["pod name not a subdomain"] = p => p.Metadata.Name = "Web",
        ["no namespace"] = p => p.Metadata.NamespaceProperty = null,
        ["nodeName with schedulingGates"] = p =>
        {
            p.Spec.NodeName = "node-1";
            p.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/wait" }];
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        var errors = StrategyRun.Create(PodBuilder.Valid(Edits[name]));

        Assert.Contains(message, errors);
    }

    [Fact]
    public void Create_AcceptsASidecarWithProbes()
    {
        var pod = PodBuilder.Valid(p => p.Spec.InitContainers = [Init("proxy", "Always", Exec())]);

        Assert.Empty(StrategyRun.Create(pod));
    }

    [Fact]
    public void Create_AcceptsVolumesMountedByName()
    {
        var pod = PodBuilder.Valid(p =>
        {
            p.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }];
            p.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];
            p.Spec.Containers[0].Env = [new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
        });

        Assert.Empty(StrategyRun.Create(pod));
    }

    [Fact]
    public void Create_ReportsAllProblemsOfAPod()
    {
        var errors = StrategyRun.Create(PodBuilder.Valid(p =>
        {
            p.Metadata.Name = null;
            p.Spec.Containers[0].Image = "";
            p.Spec.Containers[0].Name = "";
        }));

        Assert.Equal(
            ["metadata.name: Required value: name or generateName is required", "spec.containers[0].name: Required value", "spec.containers[0].image: Required value"],
            errors);
    }

    private static V1Container Init(string name, string? restartPolicy, V1Probe? readiness = null)
    {
        var container = PodBuilder.Container(name, "busybox:1.36");
        container.RestartPolicy = restartPolicy;
        container.ReadinessProbe = readiness;
        return container;
    }

    private static V1Probe Exec(int? successThreshold = null) =>
        new() { Exec = new V1ExecAction { Command = ["true"] }, SuccessThreshold = successThreshold };
}
