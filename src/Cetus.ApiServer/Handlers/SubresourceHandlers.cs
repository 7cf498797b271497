using System.Text;
using System.Text.Json.Nodes;
using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>PATCH, delete-collection, and the scale and binding subresources.</summary>
internal sealed class SubresourceHandlers(ObjectStore objects, Watch.WatchCache cache, UpdateHandler update, DeleteHandler delete, TimeProvider time)
{
    /// <summary>PATCH of an object or its status, in any of the patch media types.</summary>
    public async Task PatchAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.JsonPatch or MediaTypes.MergePatch or MediaTypes.StrategicMergePatch or MediaTypes.ApplyPatch))
        {
            throw Problems.UnsupportedMediaType(PatchApplier.Supported);
        }

        var dryRun = request.DryRun;
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var patch = BodyReader.ParseNode(body, mediaType);
        var definition = request.Definition;
        var manager = FieldManagement.Manager(request);
        var apply = mediaType == MediaTypes.ApplyPatch;
        if (apply && request.Query("fieldManager") is not { Length: > 0 })
        {
            throw Problems.BadRequest("PATCH, application/apply-patch+yaml: fieldManager is required for apply requests");
        }

        var force = request.QueryFlag("force");
        var (json, created) = await update.UpdateAsync(
            request,
            current =>
            {
                var now = ObjectMetadata.Truncate(time.GetUtcNow());
                if (apply)
                {
                    return WithoutImplicitPrecondition(FieldManagement.Apply(request, current?.Item, patch, manager, force, now), current);
                }

                var original = current is null ? new JsonObject() : JsonNode.Parse(current.Json)!;
                var patched = BodyReader.DecodeObject(request, PatchApplier.Apply(mediaType, original, patch, definition.Type), definition);
                if (patched.Metadata.Name != request.Name)
                {
                    // A patch may not rename the object (it would stay under its old key with another name).
                    throw Problems.BadRequest($"the name of the object ({patched.Metadata.Name}) does not match the name on the URL ({request.Name})");
                }

                return current is null ? patched : FieldManagement.RecordUpdate(request, current, WithoutImplicitPrecondition(patched, current), manager, now);
            },
            dryRun,
            allowCreate: apply && request.Info.Subresource.Length == 0).ConfigureAwait(false);
        request.SendWarnings();
        await Responses.WriteJsonAsync(request.Http, created ? 201 : 200, json).ConfigureAwait(false);
    }

    // A patch that leaves resourceVersion as read is no precondition: a concurrent write means a retry on the fresh
    // object (kube-apiserver's patcher), not a 409 to the client. One that sets another resourceVersion still conflicts.
    private static IKubernetesObject<V1ObjectMeta> WithoutImplicitPrecondition(IKubernetesObject<V1ObjectMeta> patched, StoredObject? current)
    {
        if (current is not null && patched.Metadata is { } metadata && metadata.ResourceVersion == current.Item.Metadata.ResourceVersion)
        {
            metadata.ResourceVersion = null;
        }

        return patched;
    }

    /// <summary>DELETE of a collection: every object the selectors match, each deleted as a single DELETE would.</summary>
    public async Task DeleteCollectionAsync(ResourceRequest request)
    {
        var options = await DeleteHandler.ReadOptionsAsync(request).ConfigureAwait(false);
        DeleteHandler.ValidateOptions(options);
        var dryRun = request.DryRun || options.DryRun is { Count: > 0 };
        var selection = Selection.From(request, ListHandler.SupportedFields(request.Definition));
        var (items, revision, _, _) = await objects.ListAsync(request.Definition, request.Namespace, 0, null, 0, request.Aborted).ConfigureAwait(false);
        var deleted = new List<byte[]>();
        foreach (var item in items.Where(selection.Matches))
        {
            var scoped = new ResourceRequest(request.Http, request.Info with { Namespace = item.Item.Metadata.NamespaceProperty ?? string.Empty, Name = item.Item.Metadata.Name }, request.Definition);
            try
            {
                var (_, body) = await delete.DeleteAsync(scoped, item.Item.Metadata.Name, options, dryRun).ConfigureAwait(false);
                deleted.Add(body);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted by someone else meanwhile: it is gone either way.
            }
        }

        var list = new StringBuilder();
        list.Append($"{{\"kind\":\"{request.Definition.ListKind}\",\"apiVersion\":\"{request.Definition.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{revision}\"}},\"items\":[");
        list.Append(string.Join(',', deleted.Select(Encoding.UTF8.GetString)));
        list.Append("]}");
        await Responses.WriteJsonAsync(request.Http, 200, Encoding.UTF8.GetBytes(list.ToString())).ConfigureAwait(false);
    }

    /// <summary>GET …/scale: an autoscaling/v1 Scale view of a Deployment or ReplicaSet.</summary>
    public async Task GetScaleAsync(ResourceRequest request)
    {
        var current = await objects.MustGetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
        await Responses.WriteJsonAsync(request.Http, 200, KubeJson.Serialize(ScaleOf(current.Item))).ConfigureAwait(false);
    }

    /// <summary>PUT …/scale (kubectl sends it without a Content-Type).</summary>
    public async Task UpdateScaleAsync(ResourceRequest request)
    {
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var scale = DecodeScale(BodyReader.ParseNode(body, MediaTypes.Of(request.Http.Request.ContentType)));
        await WriteScaleAsync(request, _ => scale).ConfigureAwait(false);
    }

    /// <summary>PATCH …/scale (kubectl scale sends a merge patch).</summary>
    public async Task PatchScaleAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.JsonPatch or MediaTypes.MergePatch or MediaTypes.StrategicMergePatch))
        {
            throw Problems.UnsupportedMediaType(PatchApplier.Supported);
        }

        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var patch = BodyReader.ParseNode(body, mediaType);
        await WriteScaleAsync(request, current =>
            DecodeScale(PatchApplier.Apply(mediaType, JsonNode.Parse(KubeJson.Serialize(ScaleOf(current)))!, patch, typeof(V1Scale)))).ConfigureAwait(false);
    }

    /// <summary>POST pods/{name}/binding: assigns a pod to a node, once.</summary>
    public async Task BindAsync(ResourceRequest request)
    {
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        V1Binding binding;
        try
        {
            binding = KubeJson.Deserialize<V1Binding>(body) ?? throw Problems.BadRequest("the binding is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Problems.BadRequest($"Binding in version \"v1\" cannot be handled as a Binding: {e.Message}");
        }

        var node = binding.Target?.Name;
        if (string.IsNullOrEmpty(node) || binding.Target!.Kind is { Length: > 0 } kind && kind != "Node")
        {
            throw Problems.Invalid(string.Empty, "Binding", request.Name, [new Cetus.Api.Scheme.FieldError(Cetus.Api.Scheme.FieldErrorType.FieldValueRequired, "target.name", "target.name: Required value")]);
        }

        var key = StorageKeys.Key(request.Definition, request.Namespace, request.Name);
        for (var attempt = 0; attempt < 16; attempt++)
        {
            // The first attempt starts from the watch cache's copy (as UpdateHandler): the compare-and-swap proves
            // it current, and a refusal stands only once the datastore confirms the copy's revision.
            var cached = attempt == 0 ? cache.Get(request.Definition, key) : null;
            var current = cached ?? await objects.MustGetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
            var stored = (V1Pod)current.Item;
            if ((stored.Metadata.DeletionTimestamp is not null || !string.IsNullOrEmpty(stored.Spec?.NodeName))
                && cached is not null && await objects.RevisionAsync(request.Definition, key, request.Aborted).ConfigureAwait(false) != cached.Revision)
            {
                continue;
            }

            if (stored.Metadata.DeletionTimestamp is not null)
            {
                throw Problems.Conflict(string.Empty, "pods", request.Name, $"pod {request.Name} is being deleted, cannot be assigned to a host");
            }

            if (!string.IsNullOrEmpty(stored.Spec?.NodeName))
            {
                throw Problems.Conflict(string.Empty, "pods", request.Name, $"pod {request.Name} is already assigned to node \"{stored.Spec.NodeName}\"");
            }

            // The stored pod is never changed in place (the watch cache serves it): the new one shares all but the
            // metadata (the write sets its resourceVersion), spec.nodeName and status.conditions, without a deep copy.
            var pod = new V1Pod
            {
                ApiVersion = stored.ApiVersion,
                Kind = stored.Kind,
                Metadata = ShallowCopy.Of(stored.Metadata),
                Spec = stored.Spec is null ? new V1PodSpec() : ShallowCopy.Of(stored.Spec),
                Status = stored.Status is null ? new V1PodStatus() : ShallowCopy.Of(stored.Status),
            };
            pod.Spec.NodeName = node;
            pod.Status.Conditions = (pod.Status.Conditions ?? []).Where(c => c.Type != "PodScheduled").Append(new V1PodCondition
            {
                Type = "PodScheduled",
                Status = "True",
                LastTransitionTime = ObjectMetadata.Truncate(time.GetUtcNow()),
            }).ToList();
            if (await objects.TryUpdateAsync(request.Definition, current.Key, pod, current.Revision, request.Aborted).ConfigureAwait(false) is not null)
            {
                await Responses.WriteJsonAsync(request.Http, 201, KubeJson.Serialize(Responses.Success(string.Empty, "pods", request.Name, pod.Metadata.Uid))).ConfigureAwait(false);
                return;
            }
        }

        throw Problems.Conflict(string.Empty, "pods", request.Name);
    }

    private async Task WriteScaleAsync(ResourceRequest request, Func<IKubernetesObject<V1ObjectMeta>, V1Scale> scaleOf)
    {
        var main = new ResourceRequest(request.Http, request.Info with { Subresource = string.Empty }, request.Definition);
        var (json, _) = await update.UpdateAsync(
            main,
            current =>
            {
                var scale = scaleOf(current!.Item);
                if (scale.Spec?.Replicas is not { } replicas)
                {
                    throw Problems.Invalid("autoscaling", "Scale", request.Name, [new Cetus.Api.Scheme.FieldError(Cetus.Api.Scheme.FieldErrorType.FieldValueRequired, "spec.replicas", "spec.replicas: Required value")]);
                }

                var item = current.Clone();
                SetReplicas(item, replicas);
                item.Metadata.ResourceVersion = string.IsNullOrEmpty(scale.Metadata?.ResourceVersion) ? null : scale.Metadata.ResourceVersion;
                return FieldManagement.RecordUpdate(main, current, item, FieldManagement.Manager(request), ObjectMetadata.Truncate(time.GetUtcNow()));
            },
            request.DryRun,
            allowCreate: false).ConfigureAwait(false);
        var updated = (IKubernetesObject<V1ObjectMeta>)KubeJson.Deserialize(json, request.Definition.Type)!;
        await Responses.WriteJsonAsync(request.Http, 200, KubeJson.Serialize(ScaleOf(updated))).ConfigureAwait(false);
    }

    private static V1Scale DecodeScale(JsonNode node)
    {
        try
        {
            return KubeJson.Deserialize<V1Scale>(Encoding.UTF8.GetBytes(node.ToJsonString())) ?? throw Problems.BadRequest("the Scale is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Problems.BadRequest($"Scale in version \"v1\" cannot be handled as a Scale: {e.Message}");
        }
    }

    private static V1Scale ScaleOf(IKubernetesObject<V1ObjectMeta> item)
    {
        var (replicas, statusReplicas, selector) = item switch
        {
            V1Deployment d => (d.Spec?.Replicas ?? 1, d.Status?.Replicas ?? 0, d.Spec?.Selector),
            V1ReplicaSet r => (r.Spec?.Replicas ?? 1, r.Status?.Replicas ?? 0, r.Spec?.Selector),
            _ => throw Problems.PathNotFound("scale"),
        };
        return new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta
            {
                Name = item.Metadata.Name,
                NamespaceProperty = item.Metadata.NamespaceProperty,
                Uid = item.Metadata.Uid,
                ResourceVersion = item.Metadata.ResourceVersion,
                CreationTimestamp = item.Metadata.CreationTimestamp,
            },
            Spec = new V1ScaleSpec { Replicas = replicas },
            Status = new V1ScaleStatus { Replicas = statusReplicas, Selector = SelectorText(selector) },
        };
    }

    private static void SetReplicas(IKubernetesObject<V1ObjectMeta> item, int replicas)
    {
        switch (item)
        {
            case V1Deployment d:
                d.Spec.Replicas = replicas;
                break;
            case V1ReplicaSet r:
                r.Spec.Replicas = replicas;
                break;
        }
    }

    /// <summary>A label selector in its string form (status.selector of a Scale).</summary>
    private static string SelectorText(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        foreach (var (key, value) in (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parts.Add($"{key}={value}");
        }

        foreach (var expression in selector.MatchExpressions ?? [])
        {
            parts.Add(expression.OperatorProperty switch
            {
                "In" => $"{expression.Key} in ({string.Join(",", expression.Values ?? [])})",
                "NotIn" => $"{expression.Key} notin ({string.Join(",", expression.Values ?? [])})",
                "Exists" => expression.Key,
                _ => $"!{expression.Key}",
            });
        }

        return string.Join(",", parts);
    }
}
