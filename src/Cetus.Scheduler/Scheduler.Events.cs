using Cetus.Client.Informers;
using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler;

/// <summary>
/// Informer events (upstream eventhandlers.go): pending pods of this scheduler go to the queue; bound pods and
/// nodes go to the cache; changes that may let unschedulable pods fit move them back.
/// </summary>
internal sealed partial class Scheduler
{
    public void OnPodAdd(V1Pod pod)
    {
        if (IsTerminal(pod))
        {
            return;
        }

        if (IsAssigned(pod))
        {
            _cache.AddPod(pod);
            _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodAdd);
        }
        else if (Responsible(pod))
        {
            _queue.Add(pod);
        }
    }

    public void OnPodUpdate(V1Pod old, V1Pod pod)
    {
        if (IsTerminal(pod))
        {
            OnPodDelete(new DeletedObject<V1Pod>(old, false));
            return;
        }

        if (IsAssigned(pod))
        {
            if (!IsAssigned(old))
            {
                // Bound (by us or someone else): it leaves the queue and counts on its node.
                _queue.Delete(pod);
                _cache.AddPod(pod);
                return;
            }

            _cache.UpdatePod(pod);
            var action = AssignedPodChange(old, pod);
            if (action != 0)
            {
                _queue.MoveAllToActiveOrBackoff(new ClusterEvent(EventResource.AssignedPod, action, "AssignedPodUpdate"));
            }
        }
        else if (Responsible(pod))
        {
            _queue.Update(pod, old);
        }
    }

    public void OnPodDelete(DeletedObject<V1Pod> deleted)
    {
        var pod = deleted.Object;
        if (IsAssigned(pod))
        {
            _cache.RemovePod(pod);
            _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
        }
        else
        {
            _queue.Delete(pod);

            // A pod waiting on Permit is assumed: rejecting it frees its room at once (upstream RejectWaitingPod).
            if (_profiles.Count > 0 && _profiles.Values.First().WaitingPods.Reject(Framework.WaitingPods.UidOf(pod)))
            {
                _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
            }
        }
    }

    public void OnNodeAdd(V1Node node)
    {
        _cache.AddOrUpdateNode(node);
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
    }

    public void OnNodeUpdate(V1Node old, V1Node node)
    {
        _cache.AddOrUpdateNode(node);
        var action = NodeChange(old, node);
        if (action != 0)
        {
            _queue.MoveAllToActiveOrBackoff(new ClusterEvent(EventResource.Node, action, "NodeUpdate"));
        }
    }

    public void OnNodeDelete(DeletedObject<V1Node> deleted) => _cache.RemoveNode(deleted.Object);

    /// <summary>What changed on a node that could let a pod fit (heartbeats alone change nothing).</summary>
    public static ActionType NodeChange(V1Node old, V1Node node)
    {
        ActionType action = 0;
        if (Json(old.Status?.Allocatable) != Json(node.Status?.Allocatable))
        {
            action |= ActionType.UpdateNodeAllocatable;
        }

        if (Json(old.Metadata?.Labels) != Json(node.Metadata?.Labels))
        {
            action |= ActionType.UpdateNodeLabel;
        }

        if (Json(old.Spec?.Taints) != Json(node.Spec?.Taints) || old.Spec?.Unschedulable != node.Spec?.Unschedulable)
        {
            action |= ActionType.UpdateNodeTaint;
        }

        static string Conditions(V1Node n) => string.Join(',', (n.Status?.Conditions ?? []).Select(c => c.Type + "=" + c.Status));
        if (Conditions(old) != Conditions(node))
        {
            action |= ActionType.UpdateNodeCondition;
        }

        return action;
    }

    private static ActionType AssignedPodChange(V1Pod old, V1Pod pod)
    {
        ActionType action = 0;
        if (Json(old.Metadata?.Labels) != Json(pod.Metadata?.Labels))
        {
            action |= ActionType.UpdatePodLabel;
        }

        if (Json(old.Spec?.Containers?.Select(c => c.Resources?.Requests)) != Json(pod.Spec?.Containers?.Select(c => c.Resources?.Requests)))
        {
            action |= ActionType.UpdatePodScaleDown;
        }

        return action;
    }

    // KubernetesJson.Serialize throws on null (it asks the value for its type): a node without status has none.
    private static string Json(object? value) => value is null ? "null" : k8s.KubernetesJson.Serialize(value);

    private static bool IsAssigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}
