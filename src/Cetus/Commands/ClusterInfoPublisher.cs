using System.Net;
using Cetus.Api.Bootstrap;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Commands;

/// <summary>
/// What kubeadm init does for token discovery: the ConfigMap <c>kube-public/cluster-info</c> with a kubeconfig naming
/// the server and its CA (the API server's bootstrap signer adds a signature per token), and the Role and RoleBinding
/// <c>kubeadm:bootstrap-signer-clusterinfo</c> that let <c>system:anonymous</c> get that ConfigMap and nothing else.
/// </summary>
internal static class ClusterInfoPublisher
{
    private const string RoleName = "kubeadm:bootstrap-signer-clusterinfo";

    /// <summary>Creates the three objects, or brings the ConfigMap's kubeconfig up to date (server or CA changed).</summary>
    public static async Task PublishAsync(IKubernetes admin, string serverUrl, string caPem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var kubeconfig = ClusterInfo.Kubeconfig(serverUrl, caPem);
        // Created when missing (the usual first start), else brought up to date: no read that fails first.
        var created = await IgnoreConflict(() => admin.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = ClusterInfo.Name, NamespaceProperty = ClusterInfo.Namespace }, Data = new Dictionary<string, string> { [ClusterInfo.KubeconfigKey] = kubeconfig } },
            ClusterInfo.Namespace,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!created)
        {
            var existing = await admin.CoreV1.ReadNamespacedConfigMapAsync(ClusterInfo.Name, ClusterInfo.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing.Data?.TryGetValue(ClusterInfo.KubeconfigKey, out var stored) != true || stored != kubeconfig)
            {
                existing.Data ??= new Dictionary<string, string>();
                existing.Data[ClusterInfo.KubeconfigKey] = kubeconfig;
                await admin.CoreV1.ReplaceNamespacedConfigMapAsync(existing, ClusterInfo.Name, ClusterInfo.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        await IgnoreConflict(() => admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(
            new V1Role
            {
                Metadata = new V1ObjectMeta { Name = RoleName, NamespaceProperty = ClusterInfo.Namespace },
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = [ClusterInfo.Name], Verbs = ["get"] }],
            },
            ClusterInfo.Namespace,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await IgnoreConflict(() => admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(
            new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = RoleName, NamespaceProperty = ClusterInfo.Namespace },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = RoleName },
                Subjects = [new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = "system:anonymous" }],
            },
            ClusterInfo.Namespace,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    // Made before (an earlier start, another server of the same cluster): false.
    private static async Task<bool> IgnoreConflict<T>(Func<Task<T>> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }
}
