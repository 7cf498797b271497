using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// The defaults every pod spec gets, in a pod or in a workload's template (core/v1 SetDefaults_PodSpec, _Container,
/// _Probe, _Volume and the volume sources, _HTTPGetAction, _ObjectFieldSelector, and the declarative ones such as a
/// port's TCP protocol).
/// </summary>
internal static class PodSpecDefaults
{
    /// <summary>0644: the file mode of secret, configMap, downwardAPI and projected volumes.</summary>
    public const int DefaultFileMode = 420;

    public static void Apply(V1PodSpec spec)
    {
        spec.DnsPolicy = Or(spec.DnsPolicy, "ClusterFirst");
        spec.RestartPolicy = Or(spec.RestartPolicy, "Always");
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.TerminationGracePeriodSeconds ??= 30;
        spec.SchedulerName = Or(spec.SchedulerName, "default-scheduler");

        // serviceAccount is the deprecated spelling of serviceAccountName; the API reads either and writes both.
        if (string.IsNullOrEmpty(spec.ServiceAccountName) && !string.IsNullOrEmpty(spec.ServiceAccount))
        {
            spec.ServiceAccountName = spec.ServiceAccount;
        }

        spec.ServiceAccount = string.IsNullOrEmpty(spec.ServiceAccountName) ? null : spec.ServiceAccountName;
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            Container(container);
        }

        foreach (var container in spec.EphemeralContainers ?? [])
        {
            container.ImagePullPolicy = Or(container.ImagePullPolicy, PullPolicy(container.Image));
            container.TerminationMessagePath = Or(container.TerminationMessagePath, "/dev/termination-log");
            container.TerminationMessagePolicy = Or(container.TerminationMessagePolicy, "File");
            Ports(container.Ports);
            Env(container.Env);
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            Volume(volume);
        }
    }

    /// <summary>Always for <c>:latest</c> or an untagged image, IfNotPresent otherwise.</summary>
    public static string PullPolicy(string? image) => ImageTags.Tag(image) == "latest" ? "Always" : "IfNotPresent";

    private static void Container(V1Container container)
    {
        container.ImagePullPolicy = Or(container.ImagePullPolicy, PullPolicy(container.Image));
        container.TerminationMessagePath = Or(container.TerminationMessagePath, "/dev/termination-log");
        container.TerminationMessagePolicy = Or(container.TerminationMessagePolicy, "File");
        Ports(container.Ports);
        Env(container.Env);
        Probe(container.LivenessProbe);
        Probe(container.ReadinessProbe);
        Probe(container.StartupProbe);
        HttpGet(container.Lifecycle?.PostStart?.HttpGet);
        HttpGet(container.Lifecycle?.PreStop?.HttpGet);
    }

    private static void Ports(IList<V1ContainerPort>? ports)
    {
        foreach (var port in ports ?? [])
        {
            port.Protocol = Or(port.Protocol, "TCP");
        }
    }

    private static void Env(IList<V1EnvVar>? env)
    {
        foreach (var variable in env ?? [])
        {
            FieldRef(variable.ValueFrom?.FieldRef);
        }
    }

    private static void Probe(V1Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        probe.TimeoutSeconds = Positive(probe.TimeoutSeconds, 1);
        probe.PeriodSeconds = Positive(probe.PeriodSeconds, 10);
        probe.SuccessThreshold = Positive(probe.SuccessThreshold, 1);
        probe.FailureThreshold = Positive(probe.FailureThreshold, 3);
        HttpGet(probe.HttpGet);
        if (probe.Grpc is not null)
        {
            probe.Grpc.Service ??= "";
        }
    }

    private static void HttpGet(V1HTTPGetAction? action)
    {
        if (action is not null)
        {
            action.Path = Or(action.Path, "/");
            action.Scheme = Or(action.Scheme, "HTTP");
        }
    }

    private static void Volume(V1Volume volume)
    {
        if (IsSourceless(volume))
        {
            volume.EmptyDir = new V1EmptyDirVolumeSource();
        }

        if (volume.Secret is not null)
        {
            volume.Secret.DefaultMode ??= DefaultFileMode;
        }

        if (volume.ConfigMap is not null)
        {
            volume.ConfigMap.DefaultMode ??= DefaultFileMode;
        }

        if (volume.DownwardAPI is not null)
        {
            volume.DownwardAPI.DefaultMode ??= DefaultFileMode;
            foreach (var file in volume.DownwardAPI.Items ?? [])
            {
                FieldRef(file.FieldRef);
            }
        }

        if (volume.HostPath is not null)
        {
            volume.HostPath.Type ??= "";
        }

        if (volume.Projected is not null)
        {
            volume.Projected.DefaultMode ??= DefaultFileMode;
            foreach (var source in volume.Projected.Sources ?? [])
            {
                if (source.ServiceAccountToken is not null)
                {
                    source.ServiceAccountToken.ExpirationSeconds ??= 3600;
                }

                foreach (var file in source.DownwardAPI?.Items ?? [])
                {
                    FieldRef(file.FieldRef);
                }
            }
        }
    }

    private static void FieldRef(V1ObjectFieldSelector? selector)
    {
        if (selector is not null)
        {
            selector.ApiVersion = Or(selector.ApiVersion, "v1");
        }
    }

    private static bool IsSourceless(V1Volume volume) =>
        volume.EmptyDir is null && volume.HostPath is null && volume.GitRepo is null && volume.GcePersistentDisk is null &&
        volume.AwsElasticBlockStore is null && volume.Secret is null && volume.Nfs is null && volume.Iscsi is null &&
        volume.Glusterfs is null && volume.Flocker is null && volume.PersistentVolumeClaim is null && volume.Rbd is null &&
        volume.Cinder is null && volume.Cephfs is null && volume.Quobyte is null && volume.DownwardAPI is null && volume.Fc is null &&
        volume.FlexVolume is null && volume.ConfigMap is null && volume.AzureFile is null && volume.VsphereVolume is null &&
        volume.PhotonPersistentDisk is null && volume.PortworxVolume is null && volume.AzureDisk is null && volume.Storageos is null &&
        volume.Projected is null && volume.ScaleIO is null && volume.Csi is null && volume.Ephemeral is null && volume.Image is null;

    private static string Or(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    private static int Positive(int? value, int fallback) => value is null or 0 ? fallback : value.Value;
}
