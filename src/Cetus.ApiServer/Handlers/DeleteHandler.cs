using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// DELETE of one object, as kube-apiserver: preconditions, finalizers (the object stays with a deletionTimestamp
/// until they are gone), propagation (Foreground and Orphan add their finalizers), and graceful deletion of pods
/// bound to a node (the kubelet finishes it).
/// </summary>
internal sealed class DeleteHandler(ObjectStore objects, TimeProvider time)
{
    private const string ForegroundFinalizer = "foregroundDeletion";
    private const string OrphanFinalizer = "orphan";

    public async Task HandleAsync(ResourceRequest request)
    {
        var options = await ReadOptionsAsync(request).ConfigureAwait(false);
        var dryRun = request.DryRun || options.DryRun is { Count: > 0 };
        var (code, body) = await DeleteAsync(request, request.Name, options, dryRun).ConfigureAwait(false);
        await Responses.WriteJsonAsync(request.Http, code, body).ConfigureAwait(false);
    }

    /// <summary>Deletes one object; shared with delete-collection. Returns the status code and body.</summary>
    public async Task<(int Code, byte[] Body)> DeleteAsync(ResourceRequest request, string name, V1DeleteOptions options, bool dryRun)
    {
        var definition = request.Definition;
        if (NamespaceDeletion.IsNamespaces(definition))
        {
            NamespaceDeletion.RefuseImmortal(name);
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = await objects.MustGetAsync(definition, request.Namespace, name, request.Aborted).ConfigureAwait(false);
            CheckPreconditions(request, current, options.Preconditions);
            if (current.Item is V1Namespace ns && NamespaceDeletion.Terminate(ns, current.Clone(), options, ObjectMetadata.Truncate(time.GetUtcNow())) is var (terminating, marking))
            {
                // A namespace is first marked Terminating; it goes once the namespace controller has emptied it and
                // removed its spec.finalizers (pkg/registry/core/namespace/storage).
                if (!marking || dryRun)
                {
                    return (200, marking ? KubeJson.Serialize(terminating, definition.Type) : current.Json);
                }

                if (await objects.TryUpdateAsync(definition, current.Key, terminating, current.Revision, request.Aborted).ConfigureAwait(false) is { } marked)
                {
                    return (200, marked.Json);
                }

                continue;
            }

            var item = current.Clone();
            var metadata = item.Metadata;
            var changed = false;
            ValidateOptions(options);
            var policy = options.PropagationPolicy ?? (options.OrphanDependents == true ? "Orphan" : null);

            if (policy == "Foreground")
            {
                changed |= AddFinalizer(metadata, ForegroundFinalizer);
            }
            else if (policy == "Orphan")
            {
                changed |= AddFinalizer(metadata, OrphanFinalizer);
            }

            var grace = GracePeriod(item, options);
            var finalizing = metadata.Finalizers is { Count: > 0 };
            if (finalizing || grace > 0)
            {
                // Graceful: mark the object and keep it until finalizers are gone or its grace period is over.
                var now = ObjectMetadata.Truncate(time.GetUtcNow());
                if (metadata.DeletionTimestamp is null)
                {
                    metadata.DeletionTimestamp = now.AddSeconds(grace);
                    metadata.DeletionGracePeriodSeconds = grace;
                    changed = true;
                }
                else if (grace < (metadata.DeletionGracePeriodSeconds ?? long.MaxValue))
                {
                    // A shorter grace period than the one in force brings the deadline forward, never back.
                    metadata.DeletionTimestamp = now.AddSeconds(grace);
                    metadata.DeletionGracePeriodSeconds = grace;
                    changed = true;
                }

                if (!changed || dryRun)
                {
                    return (200, changed ? KubeJson.Serialize(item, definition.Type) : current.Json);
                }

                if (await objects.TryUpdateAsync(definition, current.Key, item, current.Revision, request.Aborted).ConfigureAwait(false) is { } stored)
                {
                    return (200, stored.Json);
                }

                continue;
            }

            if (dryRun || await objects.TryDeleteAsync(definition, current, request.Aborted).ConfigureAwait(false))
            {
                return definition.ReturnDeletedObject
                    ? (200, current.Json)
                    : (200, KubeJson.Serialize(Responses.Success(definition.Group, definition.Plural, name, current.Item.Metadata.Uid)));
            }

            if (attempt >= 16)
            {
                throw Problems.Conflict(definition.Group, definition.Plural, name);
            }
        }
    }

    /// <summary>Refuses DeleteOptions kube-apiserver refuses, before anything is deleted.</summary>
    public static void ValidateOptions(V1DeleteOptions options)
    {
        if (options.PropagationPolicy is { } policy and not ("Foreground" or "Background" or "Orphan"))
        {
            throw Problems.BadRequest($"DeleteOptions.propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }
    }

    /// <summary>The DeleteOptions in the body (optional) merged with the query parameters.</summary>
    public static async Task<V1DeleteOptions> ReadOptionsAsync(ResourceRequest request)
    {
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        V1DeleteOptions options;
        if (body.Length == 0)
        {
            options = new V1DeleteOptions();
        }
        else
        {
            try
            {
                options = KubeJson.Deserialize<V1DeleteOptions>(body) ?? new V1DeleteOptions();
            }
            catch (System.Text.Json.JsonException e)
            {
                throw Problems.BadRequest($"couldn't decode DeleteOptions: {e.Message}");
            }
        }

        if (request.QueryInt64("gracePeriodSeconds", min: long.MinValue) is { } grace)
        {
            options.GracePeriodSeconds = grace;
        }

        if (request.Query("propagationPolicy") is { Length: > 0 } policy)
        {
            options.PropagationPolicy = policy;
        }

        return options;
    }

    private static void CheckPreconditions(ResourceRequest request, StoredObject current, V1Preconditions? preconditions)
    {
        if (preconditions?.Uid is { } uid && uid != current.Item.Metadata.Uid)
        {
            throw Problems.Conflict(request.Definition.Group, request.Definition.Plural, current.Item.Metadata.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Item.Metadata.Uid}");
        }

        if (preconditions?.ResourceVersion is { } rv && rv != current.Item.Metadata.ResourceVersion)
        {
            throw Problems.Conflict(request.Definition.Group, request.Definition.Plural, current.Item.Metadata.Name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.Item.Metadata.ResourceVersion}");
        }
    }

    /// <summary>
    /// Only pods are deleted gracefully, and only once scheduled: an unbound pod has no kubelet to finish it.
    /// Without a value, a pod's terminationGracePeriodSeconds applies.
    /// </summary>
    private static long GracePeriod(IKubernetesObject<V1ObjectMeta> item, V1DeleteOptions options)
    {
        if (item is not V1Pod pod)
        {
            return 0;
        }

        if (string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        var grace = options.GracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
        return Math.Max(0, grace);
    }

    private static bool AddFinalizer(V1ObjectMeta metadata, string finalizer)
    {
        metadata.Finalizers ??= [];
        if (metadata.Finalizers.Contains(finalizer))
        {
            return false;
        }

        metadata.Finalizers.Add(finalizer);
        return true;
    }
}
