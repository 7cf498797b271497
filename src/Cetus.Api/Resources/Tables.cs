using Cetus.Api.Resources.ConfigMap;
using Cetus.Api.Resources.Deployment;
using Cetus.Api.Resources.Endpoints;
using Cetus.Api.Resources.Event;
using Cetus.Api.Resources.Lease;
using Cetus.Api.Resources.Namespace;
using Cetus.Api.Resources.Node;
using Cetus.Api.Resources.Pod;
using Cetus.Api.Resources.ReplicaSet;
using Cetus.Api.Resources.Secret;
using Cetus.Api.Resources.Service;
using Cetus.Api.Resources.ServiceAccount;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources;

/// <summary>The Table columns of each kind: its own where it has them (in its folder), else Name and Created At.</summary>
internal static class Tables
{
    private static readonly Dictionary<Type, ITableConvertor> ByType = new()
    {
        [typeof(V1Namespace)] = new NamespaceTable(),
        [typeof(V1Pod)] = new PodTable(),
        [typeof(V1Node)] = new NodeTable(),
        [typeof(V1Service)] = new ServiceTable(),
        [typeof(V1Endpoints)] = new EndpointsTable(),
        [typeof(V1ConfigMap)] = new ConfigMapTable(),
        [typeof(V1Secret)] = new SecretTable(),
        [typeof(V1ServiceAccount)] = new ServiceAccountTable(),
        [typeof(Corev1Event)] = new EventTable(),
        [typeof(V1Deployment)] = new DeploymentTable(),
        [typeof(V1ReplicaSet)] = new ReplicaSetTable(),
        [typeof(V1Lease)] = new LeaseTable(),
        [typeof(Eventsv1Event)] = new EventsV1EventTable(),
    };

    public static ITableConvertor For(Type type) => ByType.TryGetValue(type, out var table) ? table : DefaultTableConvertor.Instance;
}
