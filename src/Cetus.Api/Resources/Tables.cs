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
using Cetus.Api.Resources.Services;
using Cetus.Api.Resources.ServiceAccounts;
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
        [typeof(V1PriorityClass)] = new PriorityClassTable(),
        [typeof(Eventsv1Event)] = new EventsV1EventTable(),
        [typeof(V1Role)] = new RoleTable(),
        [typeof(V1ClusterRole)] = new ClusterRoleTable(),
        [typeof(V1RoleBinding)] = new RoleBindingTable(),
        [typeof(V1ClusterRoleBinding)] = new ClusterRoleBindingTable(),
        [typeof(V1PodDisruptionBudget)] = new PodDisruptionBudgets.PodDisruptionBudgetTable(),
        [typeof(V1CertificateSigningRequest)] = new CertificateSigningRequests.CertificateSigningRequestTable(),
    };

    public static ITableConvertor For(Type type) => ByType.TryGetValue(type, out var table) ? table : DefaultTableConvertor.Instance;
}
