using System.Text.Json.Nodes;
using Cetus.Api.Json;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// POST pods/{name}/eviction (pkg/registry/core/pod/storage/eviction.go): deletes the pod when no
/// PodDisruptionBudget stands in the way. A pod that is pending, finished or already being deleted goes at once; else
/// the one PDB that selects it must allow a disruption, which is taken from its status (and the pod noted in
/// disruptedPods) before the pod is deleted; none left is a 429 the client retries.
/// </summary>
internal sealed class EvictionHandler(ObjectStore objects, ResourceRegistry registry, DeleteHandler delete, TimeProvider time)
{
    /// <summary>The message of a refused eviction.</summary>
    public const string ViolationMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

    /// <summary>The message when several PDBs select the pod.</summary>
    public const string MultiplePdbsMessage = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

    // Upstream's MaxDisruptedPodSize: evictions the controller has not confirmed yet.
    private const int MaxDisruptedPods = 2000;

    // Upstream's EvictionsRetry has 20 steps.
    private const int Attempts = 20;

    private readonly ResourceDefinition _pdbs = registry.Find("policy", "v1", "poddisruptionbudgets")
        ?? throw new InvalidOperationException("poddisruptionbudgets are not registered");

    public async Task HandleAsync(ResourceRequest request)
    {
        var eviction = await ReadAsync(request).ConfigureAwait(false);
        var options = eviction.DeleteOptions ?? new V1DeleteOptions();
        DeleteHandler.ValidateOptions(options);
        var dryRun = request.DryRun || options.DryRun is { Count: > 0 };
        var pods = new ResourceRequest(request.Http, request.Info with { Subresource = string.Empty }, request.Definition);
        var clientSetVersion = options.Preconditions?.ResourceVersion is { Length: > 0 };
        if (Authentication.UserOf(request.Http) is { } user && Authorization.NodeRestriction.NodeOf(user) is { } node)
        {
            var existing = await objects.MustGetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
            Authorization.NodeRestriction.CheckEviction(node, (V1Pod)existing.Item);
        }

        StoredObject current = null!;
        for (var attempt = 0; ; attempt++)
        {
            current = await objects.MustGetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
            var pod = (V1Pod)current.Item;
            if (!CanIgnorePdb(pod))
            {
                break;
            }

            // Pending, finished or already going: it disrupts nothing that is not disrupted already.
            var direct = !clientSetVersion && EnforcesResourceVersion(pod) ? WithResourceVersion(options, current) : options;
            try
            {
                await AddConditionAndDeleteAsync(pods, direct, dryRun).ConfigureAwait(false);
                await WriteSuccessAsync(request).ConfigureAwait(false);
                return;
            }
            catch (ApiException e) when (e.Code == 409 && !clientSetVersion && attempt < Attempts)
            {
            }
        }

        var target = (V1Pod)current.Item;
        var selecting = await PdbsSelectingAsync(target, request.Aborted).ConfigureAwait(false);
        if (selecting.Count > 1)
        {
            var status = new V1Status { ApiVersion = "v1", Kind = "Status", Metadata = new V1ListMeta(), Status = "Failure", Message = MultiplePdbsMessage, Code = 500 };
            await Responses.WriteJsonAsync(request.Http, 500, KubeJson.Serialize(status)).ConfigureAwait(false);
            return;
        }

        var unhealthyWithinBudget = false;
        if (selecting.Count == 1)
        {
            var pdb = (V1PodDisruptionBudget)selecting[0].Item;
            if (!IsReady(target) && (pdb.Spec?.UnhealthyPodEvictionPolicy == "AlwaysAllow"
                || (pdb.Status?.CurrentHealthy ?? 0) >= (pdb.Status?.DesiredHealthy ?? 0) && (pdb.Status?.DesiredHealthy ?? 0) > 0))
            {
                // An unready pod is not counted as healthy: deleting it takes nothing from the budget.
                unhealthyWithinBudget = true;
            }
            else
            {
                await CheckAndDecrementAsync(selecting[0], target.Metadata.Name, dryRun, request.Aborted).ConfigureAwait(false);
            }
        }

        var deleteOptions = unhealthyWithinBudget ? WithResourceVersion(options, current) : options;
        try
        {
            await AddConditionAndDeleteAsync(pods, deleteOptions, dryRun).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Code == 409 && unhealthyWithinBudget && !clientSetVersion)
        {
            // The pod changed (it may have become ready) since the budget was judged: the client tries again.
            throw TooManyRequests($"The disruption budget {selecting[0].Item.Metadata.Name} is still being processed by the server.");
        }

        await WriteSuccessAsync(request).ConfigureAwait(false);
    }

    private static async Task<V1Eviction> ReadAsync(ResourceRequest request)
    {
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var node = BodyReader.ParseNode(body, MediaTypes.Of(request.Http.Request.ContentType));
        if (node is not JsonObject json)
        {
            throw Problems.BadRequest($"the request body must be a JSON object, not {node.GetValueKind()}");
        }

        var kind = json["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? json["kind"]!.GetValue<string>() : null;
        var apiVersion = json["apiVersion"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? json["apiVersion"]!.GetValue<string>() : null;
        if (kind is { Length: > 0 } && kind != "Eviction" || apiVersion is { Length: > 0 } && apiVersion is not ("policy/v1" or "policy/v1beta1"))
        {
            throw Problems.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version (policy/v1), or the kind in the data ({kind}) does not match the expected kind (Eviction)");
        }

        V1Eviction eviction;
        try
        {
            eviction = KubeJson.Deserialize<V1Eviction>(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())) ?? throw Problems.BadRequest("the eviction is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Problems.BadRequest($"Eviction in version \"v1\" cannot be handled as a Eviction: {e.Message}");
        }

        if (eviction.Metadata?.Name != request.Name)
        {
            throw Problems.BadRequest("name in URL does not match name in Eviction object");
        }

        return eviction;
    }

    // canIgnorePDB: a pod that is pending, finished or being deleted is not guarded by a budget.
    private static bool CanIgnorePdb(V1Pod pod) =>
        pod.Status?.Phase is "Succeeded" or "Failed" or "Pending" || pod.Metadata.DeletionTimestamp is not null;

    // shouldEnforceResourceVersion: a pending pod could become ready meanwhile; finished or going ones cannot.
    private static bool EnforcesResourceVersion(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static V1DeleteOptions WithResourceVersion(V1DeleteOptions options, StoredObject current)
    {
        var copy = KubeJson.Deserialize<V1DeleteOptions>(KubeJson.Serialize(options))!;
        copy.Preconditions ??= new V1Preconditions();
        copy.Preconditions.ResourceVersion = current.Item.Metadata.ResourceVersion;
        return copy;
    }

    // The PDBs of the pod's namespace whose selector matches it; unlike the controller's, an empty selector matches nothing here.
    private async Task<List<StoredObject>> PdbsSelectingAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var (items, _, _, _) = await objects.ListAsync(_pdbs, pod.Metadata.NamespaceProperty ?? string.Empty, 0, null, 0, cancellationToken).ConfigureAwait(false);
        return items.Where(item =>
        {
            var selector = ((V1PodDisruptionBudget)item.Item).Spec?.Selector;
            return LabelSelectors.IsWellFormed(selector) && selector is not null && !LabelSelectors.IsEmpty(selector)
                && LabelSelectors.Matches(selector, pod.Metadata.Labels);
        }).ToList();
    }

    // Takes one disruption from the PDB's status and notes the pod, conditional on the status read; a conflict re-reads it.
    private async Task CheckAndDecrementAsync(StoredObject stored, string podName, bool dryRun, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var pdb = (V1PodDisruptionBudget)stored.Clone();
            var status = pdb.Status ??= new V1PodDisruptionBudgetStatus();
            var name = pdb.Metadata.Name;
            if ((status.ObservedGeneration ?? 0) < (pdb.Metadata.Generation ?? 0))
            {
                throw TooManyRequests($"The disruption budget {name} is still being processed by the server.");
            }

            if (status.DisruptionsAllowed < 0)
            {
                throw Problems.Forbidden("policy", "poddisruptionbudget", name, "pdb disruptions allowed is negative");
            }

            if (status.DisruptedPods?.Count > MaxDisruptedPods)
            {
                throw Problems.Forbidden("policy", "poddisruptionbudget", name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }

            if ((status.DisruptionsAllowed ?? 0) == 0)
            {
                throw TooManyRequests($"The disruption budget {name} needs {status.DesiredHealthy ?? 0} healthy pods and has {status.CurrentHealthy ?? 0} currently");
            }

            status.DisruptionsAllowed--;
            if (status.DisruptionsAllowed == 0)
            {
                SetInsufficient(status);
            }

            if (dryRun)
            {
                return;
            }

            status.DisruptedPods ??= new Dictionary<string, DateTime?>();
            status.DisruptedPods[podName] = ObjectMetadata.Truncate(time.GetUtcNow());
            if (await objects.TryUpdateAsync(_pdbs, stored.Key, pdb, stored.Revision, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            stored = await objects.MustGetAsync(_pdbs, pdb.Metadata.NamespaceProperty ?? string.Empty, name, cancellationToken).ConfigureAwait(false);
        }

        throw new ApiException(Problems.Status(504, "Timeout", $"Timeout: couldn't update PodDisruptionBudget \"{stored.Item.Metadata.Name}\" due to conflicts", new V1StatusDetails { RetryAfterSeconds = 10 })) { RetryAfterSeconds = 10 };
    }

    // pdbhelper.UpdateDisruptionAllowedCondition once the last allowed disruption is taken.
    private void SetInsufficient(V1PodDisruptionBudgetStatus status)
    {
        status.Conditions ??= [];
        var condition = status.Conditions.FirstOrDefault(c => c.Type == "DisruptionAllowed");
        if (condition is null)
        {
            condition = new V1Condition { Type = "DisruptionAllowed", Message = string.Empty };
            status.Conditions.Add(condition);
        }

        if (condition.Status != "False")
        {
            condition.LastTransitionTime = ObjectMetadata.Truncate(time.GetUtcNow());
        }

        condition.Status = "False";
        condition.Reason = "InsufficientPods";
        condition.ObservedGeneration = status.ObservedGeneration;
    }

    // addConditionAndDeletePod: the pod is marked DisruptionTarget (checked against the preconditions), then deleted
    // with the preconditions moved to the version that write made.
    private async Task AddConditionAndDeleteAsync(ResourceRequest pods, V1DeleteOptions options, bool dryRun)
    {
        if (!dryRun)
        {
            var current = await objects.MustGetAsync(pods.Definition, pods.Namespace, pods.Name, pods.Aborted).ConfigureAwait(false);
            var preconditions = options.Preconditions;
            if (preconditions?.Uid is { Length: > 0 } uid && uid != current.Item.Metadata.Uid
                || preconditions?.ResourceVersion is { Length: > 0 } rv && rv != current.Item.Metadata.ResourceVersion)
            {
                throw Problems.Conflict(string.Empty, "pods", pods.Name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            var pod = (V1Pod)current.Clone();
            pod.Status ??= new V1PodStatus();
            pod.Status.Conditions ??= [];
            var existing = pod.Status.Conditions.FirstOrDefault(c => c.Type == "DisruptionTarget");
            if (existing is null || existing.Status != "True" || existing.Reason != "EvictionByEvictionAPI")
            {
                pod.Status.Conditions = pod.Status.Conditions.Where(c => c.Type != "DisruptionTarget").Append(new V1PodCondition
                {
                    Type = "DisruptionTarget",
                    Status = "True",
                    Reason = "EvictionByEvictionAPI",
                    Message = "Eviction API: evicting",
                    LastTransitionTime = ObjectMetadata.Truncate(time.GetUtcNow()),
                }).ToList();
                var updated = await objects.TryUpdateAsync(pods.Definition, current.Key, pod, current.Revision, pods.Aborted).ConfigureAwait(false)
                    ?? throw Problems.Conflict(string.Empty, "pods", pods.Name);
                if (preconditions?.ResourceVersion is { Length: > 0 })
                {
                    options = KubeJson.Deserialize<V1DeleteOptions>(KubeJson.Serialize(options))!;
                    options.Preconditions!.ResourceVersion = updated.Item.Metadata.ResourceVersion;
                }
            }
        }

        await delete.DeleteAsync(pods, pods.Name, options, dryRun).ConfigureAwait(false);
    }

    private static Task WriteSuccessAsync(ResourceRequest request)
    {
        var status = new V1Status { ApiVersion = "v1", Kind = "Status", Metadata = new V1ListMeta(), Status = "Success" };
        return Responses.WriteJsonAsync(request.Http, 201, KubeJson.Serialize(status));
    }

    // errors.NewTooManyRequests(…, 0) with the DisruptionBudget cause: no Retry-After, so clients (kubectl drain) retry on their own schedule.
    private static ApiException TooManyRequests(string cause) =>
        new(Problems.Status(429, "TooManyRequests", ViolationMessage, new V1StatusDetails
        {
            Causes = [new V1StatusCause { Reason = "DisruptionBudget", Message = cause }],
        }));
}
