namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// The fields upstream marks required (Go fields without <c>omitempty</c> or <c>+optional</c>). The k8s.Models types
/// do not carry this, so it is listed here by C# type name and JSON field name for the types Cetus serves; kubectl
/// explain shows them as <c>-required-</c>. Every <c>…List</c> kind requires <c>items</c> and needs no entry.
/// </summary>
internal static class RequiredFields
{
    private static readonly Dictionary<string, string[]> ByType = new(StringComparer.Ordinal)
    {
        // meta/v1
        ["V1Condition"] = ["type", "status", "lastTransitionTime", "reason", "message"],
        ["V1CertificateSigningRequestSpec"] = ["request", "signerName"],
        ["V1CertificateSigningRequestCondition"] = ["type", "status"],
        ["V1LabelSelectorRequirement"] = ["key", "operator"],
        ["V1OwnerReference"] = ["apiVersion", "kind", "name", "uid"],

        // core/v1: pods and containers
        ["V1PodSpec"] = ["containers"],
        ["V1Container"] = ["name"],
        ["V1EphemeralContainer"] = ["name"],
        ["V1ContainerPort"] = ["containerPort"],
        ["V1ContainerStatus"] = ["name", "ready", "restartCount", "image", "imageID"],
        ["V1ContainerStateTerminated"] = ["exitCode"],
        ["V1ContainerResizePolicy"] = ["resourceName", "restartPolicy"],
        ["V1LinuxContainerUser"] = ["uid", "gid"],
        ["V1EnvVar"] = ["name"],
        ["V1VolumeMount"] = ["name", "mountPath"],
        ["V1VolumeMountStatus"] = ["name", "mountPath"],
        ["V1VolumeDevice"] = ["name", "devicePath"],
        ["V1Volume"] = ["name"],
        ["V1KeyToPath"] = ["key", "path"],
        ["V1ConfigMapKeySelector"] = ["key"],
        ["V1SecretKeySelector"] = ["key"],
        ["V1FileKeySelector"] = ["volumeName", "path", "key"],
        ["V1ObjectFieldSelector"] = ["fieldPath"],
        ["V1ResourceFieldSelector"] = ["resource"],
        ["V1DownwardAPIVolumeFile"] = ["path"],
        ["V1ServiceAccountTokenProjection"] = ["path"],
        ["V1ClusterTrustBundleProjection"] = ["path"],
        ["V1PodCertificateProjection"] = ["signerName", "keyType"],
        ["V1HTTPGetAction"] = ["port"],
        ["V1HTTPHeader"] = ["name", "value"],
        ["V1TCPSocketAction"] = ["port"],
        ["V1GRPCAction"] = ["port"],
        ["V1SleepAction"] = ["seconds"],
        ["V1SeccompProfile"] = ["type"],
        ["V1AppArmorProfile"] = ["type"],
        ["V1Sysctl"] = ["name", "value"],
        ["V1HostAlias"] = ["ip"],
        ["V1PodIP"] = ["ip"],
        ["V1HostIP"] = ["ip"],
        ["V1PodOS"] = ["name"],
        ["V1PodReadinessGate"] = ["conditionType"],
        ["V1PodResourceClaim"] = ["name"],
        ["V1PodResourceClaimStatus"] = ["name"],
        ["V1PodSchedulingGate"] = ["name"],
        ["V1PodCondition"] = ["type", "status"],
        ["V1PodAffinityTerm"] = ["topologyKey"],
        ["V1WeightedPodAffinityTerm"] = ["weight", "podAffinityTerm"],
        ["V1PreferredSchedulingTerm"] = ["weight", "preference"],
        ["V1NodeSelector"] = ["nodeSelectorTerms"],
        ["V1NodeSelectorRequirement"] = ["key", "operator"],
        ["V1TopologySpreadConstraint"] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        ["V1ResourceHealth"] = ["resourceID"],
        ["V1ResourceStatus"] = ["name"],
        ["Corev1ResourceClaim"] = ["name"],
        ["V1TypedLocalObjectReference"] = ["kind", "name"],
        ["V1TypedObjectReference"] = ["kind", "name"],
        ["V1PersistentVolumeClaimTemplate"] = ["spec"],

        // core/v1: volume sources
        ["V1AWSElasticBlockStoreVolumeSource"] = ["volumeID"],
        ["V1AzureDiskVolumeSource"] = ["diskName", "diskURI"],
        ["V1AzureFileVolumeSource"] = ["secretName", "shareName"],
        ["V1CephFSVolumeSource"] = ["monitors"],
        ["V1CinderVolumeSource"] = ["volumeID"],
        ["V1CSIVolumeSource"] = ["driver"],
        ["V1FlexVolumeSource"] = ["driver"],
        ["V1GCEPersistentDiskVolumeSource"] = ["pdName"],
        ["V1GitRepoVolumeSource"] = ["repository"],
        ["V1GlusterfsVolumeSource"] = ["endpoints", "path"],
        ["V1HostPathVolumeSource"] = ["path"],
        ["V1ISCSIVolumeSource"] = ["targetPortal", "iqn", "lun"],
        ["V1NFSVolumeSource"] = ["server", "path"],
        ["V1PersistentVolumeClaimVolumeSource"] = ["claimName"],
        ["V1PhotonPersistentDiskVolumeSource"] = ["pdID"],
        ["V1PortworxVolumeSource"] = ["volumeID"],
        ["V1QuobyteVolumeSource"] = ["registry", "volume"],
        ["V1RBDVolumeSource"] = ["monitors", "image"],
        ["V1ScaleIOVolumeSource"] = ["gateway", "system", "secretRef"],
        ["V1VsphereVirtualDiskVolumeSource"] = ["volumePath"],

        // core/v1: nodes, services, endpoints, events, namespaces
        ["V1NodeAddress"] = ["type", "address"],
        ["V1NodeCondition"] = ["type", "status"],
        ["V1NodeSystemInfo"] = [
            "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion",
            "kubeProxyVersion", "operatingSystem", "architecture"],
        ["V1DaemonEndpoint"] = ["Port"],
        ["V1AttachedVolume"] = ["name", "devicePath"],
        ["V1Taint"] = ["key", "effect"],
        ["V1NamespaceCondition"] = ["type", "status"],
        ["V1ServicePort"] = ["port"],
        ["V1PortStatus"] = ["port", "protocol"],
        ["V1EndpointAddress"] = ["ip"],
        ["Corev1EndpointPort"] = ["port"],
        ["Corev1Event"] = ["metadata", "involvedObject"],
        ["V1Binding"] = ["target"],

        // apps/v1, autoscaling/v1, events.k8s.io/v1
        ["V1DeploymentSpec"] = ["selector", "template"],
        ["V1DeploymentCondition"] = ["type", "status"],
        ["V1ReplicaSetSpec"] = ["selector"],
        ["V1ReplicaSetStatus"] = ["replicas"],
        ["V1ReplicaSetCondition"] = ["type", "status"],
        ["V1ScaleStatus"] = ["replicas"],
        ["Eventsv1Event"] = ["eventTime"],
        ["Eventsv1EventSeries"] = ["count", "lastObservedTime"],
    };

    /// <summary>The required JSON fields of <paramref name="type"/>, in upstream order.</summary>
    public static IReadOnlyList<string> For(Type type)
    {
        if (ByType.TryGetValue(type.Name, out var fields))
        {
            return fields;
        }

        return type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(k8s.Models.IItems<>)) ? ["items"] : [];
    }
}
