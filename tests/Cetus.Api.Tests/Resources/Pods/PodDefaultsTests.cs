using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Pods;

public sealed class PodDefaultsTests
{
    [Fact]
    public void Create_FillsPodSpecDefaults()
    {
        var pod = PodBuilder.Valid();

        Assert.Empty(StrategyRun.Create(pod));

        var spec = pod.Spec;
        Assert.Equal("Always", spec.RestartPolicy);
        Assert.Equal("ClusterFirst", spec.DnsPolicy);
        Assert.Equal(30, spec.TerminationGracePeriodSeconds);
        Assert.Equal("default-scheduler", spec.SchedulerName);
        Assert.NotNull(spec.SecurityContext);
        Assert.True(spec.EnableServiceLinks);
        var container = spec.Containers[0];
        Assert.Equal("/dev/termination-log", container.TerminationMessagePath);
        Assert.Equal("File", container.TerminationMessagePolicy);
        Assert.Equal("IfNotPresent", container.ImagePullPolicy);
    }

    [Fact]
    public void Create_SetsDefaultTolerations_LeavesTheServiceAccountToAdmission()
    {
        var pod = PodBuilder.Valid();

        StrategyRun.Create(pod);

        // The service account comes from the API server's ServiceAccountAdmission, which reads ServiceAccounts.
        Assert.Null(pod.Spec.ServiceAccountName);
        Assert.Null(pod.Spec.ServiceAccount);
        // Priority comes from the API server's PriorityAdmission, which reads PriorityClasses (not a default).
        Assert.Null(pod.Spec.Priority);
        Assert.Null(pod.Spec.PreemptionPolicy);
        Assert.Collection(
            pod.Spec.Tolerations,
            t => AssertToleration(t, "node.kubernetes.io/not-ready"),
            t => AssertToleration(t, "node.kubernetes.io/unreachable"));
    }

    [Fact]
    public void Create_KeepsATolerationThatAlreadyCoversATaint()
    {
        var pod = PodBuilder.Valid(p => p.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists" }]);

        StrategyRun.Create(pod);

        Assert.Equal(2, pod.Spec.Tolerations.Count);
        Assert.Null(pod.Spec.Tolerations[0].TolerationSeconds);
        AssertToleration(pod.Spec.Tolerations[1], "node.kubernetes.io/not-ready");
    }

    [Fact]
    public void Create_SetsPendingPhaseAndQosClass()
    {
        var pod = PodBuilder.Valid(p => p.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.9" });

        StrategyRun.Create(pod);

        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("BestEffort", pod.Status.QosClass);
        Assert.Null(pod.Status.PodIP);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("registry.example.com:5000/team/app:v1", "IfNotPresent")]
    public void ImagePullPolicy_DependsOnTheTag(string image, string expected)
    {
        var pod = PodBuilder.Valid(p => p.Spec.Containers[0].Image = image);

        StrategyRun.Create(pod);

        Assert.Equal(expected, pod.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Defaults_NeverOverrideWhatWasGiven()
    {
        var pod = PodBuilder.Valid(p =>
        {
            p.Spec.RestartPolicy = "Never";
            p.Spec.TerminationGracePeriodSeconds = 5;
            p.Spec.ServiceAccountName = "builder";
            p.Spec.Containers[0].ImagePullPolicy = "Never";
        });

        StrategyRun.Create(pod);

        Assert.Equal("Never", pod.Spec.RestartPolicy);
        Assert.Equal(5, pod.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("builder", pod.Spec.ServiceAccountName);
        Assert.Equal("builder", pod.Spec.ServiceAccount);
        Assert.Equal("Never", pod.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Probes_GetTimingAndHttpDefaults()
    {
        var pod = PodBuilder.Valid(p => p.Spec.Containers[0].LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = 8080 } });

        Assert.Empty(StrategyRun.Create(pod));

        var probe = pod.Spec.Containers[0].LivenessProbe;
        Assert.Equal((1, 10, 1, 3), (probe.TimeoutSeconds, probe.PeriodSeconds, probe.SuccessThreshold, probe.FailureThreshold));
        Assert.Equal(("/", "HTTP"), (probe.HttpGet.Path, probe.HttpGet.Scheme));
    }

    [Fact]
    public void Volumes_GetModesTypesAndASource()
    {
        var pod = PodBuilder.Valid(p => p.Spec.Volumes =
        [
            new V1Volume { Name = "scratch" },
            new V1Volume { Name = "secret", Secret = new V1SecretVolumeSource { SecretName = "s" } },
            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "c" } },
            new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/var/log" } },
            new V1Volume
            {
                Name = "token",
                Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token" } }] },
            },
        ]);

        Assert.Empty(StrategyRun.Create(pod));

        var volumes = pod.Spec.Volumes;
        Assert.NotNull(volumes[0].EmptyDir);
        Assert.Equal(420, volumes[1].Secret.DefaultMode);
        Assert.Equal(420, volumes[2].ConfigMap.DefaultMode);
        Assert.Equal("", volumes[3].HostPath.Type);
        Assert.Equal(420, volumes[4].Projected.DefaultMode);
        Assert.Equal(3600, volumes[4].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds);
    }

    [Fact]
    public void Ports_DefaultToTcp_AndToHostPortsUnderHostNetwork()
    {
        var pod = PodBuilder.Valid(p =>
        {
            p.Spec.HostNetwork = true;
            p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 8080 }];
        });

        Assert.Empty(StrategyRun.Create(pod));

        Assert.Equal(("TCP", 8080), (pod.Spec.Containers[0].Ports[0].Protocol, pod.Spec.Containers[0].Ports[0].HostPort));
    }

    [Fact]
    public void Requests_DefaultToLimits()
    {
        var pod = PodBuilder.Valid(p => p.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = PodBuilder.Resources(("cpu", "500m"), ("memory", "128Mi")),
            Requests = PodBuilder.Resources(("cpu", "100m")),
        });

        StrategyRun.Create(pod);

        var requests = pod.Spec.Containers[0].Resources.Requests;
        Assert.Equal("100m", requests["cpu"].ToString());
        Assert.Equal("128Mi", requests["memory"].ToString());
    }

    private static void AssertToleration(V1Toleration toleration, string key)
    {
        Assert.Equal(key, toleration.Key);
        Assert.Equal("Exists", toleration.OperatorProperty);
        Assert.Equal("NoExecute", toleration.Effect);
        Assert.Equal(300, toleration.TolerationSeconds);
    }
}
