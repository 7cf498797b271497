using Cetus.Api.Resources.ConfigMaps;
using Cetus.Api.Resources.Deployments;
using Cetus.Api.Resources.Endpoints;
using Cetus.Api.Resources.Events;
using Cetus.Api.Resources.Leases;
using Cetus.Api.Resources.Namespaces;
using Cetus.Api.Resources.Nodes;
using Cetus.Api.Resources.Pods;
using Cetus.Api.Resources.PriorityClasses;
using Cetus.Api.Resources.Rbac;
using Cetus.Api.Resources.ReplicaSets;
using Cetus.Api.Resources.Secrets;
using Cetus.Api.Resources.ServiceAccounts;
using Cetus.Api.Resources.Services;
using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.Api.Resources;

/// <summary>The strategy of each kind: its own where it has one (in its folder), else the plain one.</summary>
internal static class Strategies
{
    private static readonly Dictionary<Type, IResourceStrategy> ByType = new()
    {
        [typeof(V1Namespace)] = new NamespaceStrategy(),
        [typeof(V1Pod)] = new PodStrategy(),
        [typeof(V1Node)] = new NodeStrategy(),
        [typeof(V1Service)] = new ServiceStrategy(),
        [typeof(V1Endpoints)] = new EndpointsStrategy(),
        [typeof(V1ConfigMap)] = new ConfigMapStrategy(),
        [typeof(V1Secret)] = new SecretStrategy(),
        [typeof(V1ServiceAccount)] = new ServiceAccountStrategy(),
        [typeof(Corev1Event)] = new EventStrategy(),
        [typeof(V1Deployment)] = new DeploymentStrategy(),
        [typeof(V1ReplicaSet)] = new ReplicaSetStrategy(),
        [typeof(V1Lease)] = new LeaseStrategy(),
        [typeof(V1PriorityClass)] = new PriorityClassStrategy(),
        [typeof(Eventsv1Event)] = new EventsV1.EventStrategy(),
        [typeof(V1Role)] = new RoleStrategy(),
        [typeof(V1ClusterRole)] = new ClusterRoleStrategy(),
        [typeof(V1RoleBinding)] = new RoleBindingStrategy(),
        [typeof(V1ClusterRoleBinding)] = new ClusterRoleBindingStrategy(),
        [typeof(V1PodDisruptionBudget)] = new PodDisruptionBudgets.PodDisruptionBudgetStrategy(),
        [typeof(V1CertificateSigningRequest)] = new CertificateSigningRequests.CertificateSigningRequestStrategy(),
    };

    public static IResourceStrategy For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        ByType.TryGetValue(typeof(T), out var strategy) ? strategy : new ResourceStrategy<T>();
}
