namespace StudyRecs.Learning.Recommend;

/// <summary>What a student did with a resource. The order of the positive kinds is their strength.</summary>
public enum InteractionKind
{
    /// <summary>Opened or watched part of the resource.</summary>
    View = 0,

    /// <summary>Clicked the resource in a recommendation block.</summary>
    Click = 1,

    /// <summary>Marked the resource as liked.</summary>
    Like = 2,

    /// <summary>Finished the resource.</summary>
    Complete = 3,

    /// <summary>Dismissed the resource: negative feedback, never used as a positive and never recommended again.</summary>
    Dismiss = 4,
}

/// <summary>Confidence weights per event kind (complete &gt; like &gt; click &gt; view) and parsing of event names.</summary>
public static class InteractionKinds
{
    /// <summary>The default confidence weight of an event kind; 0 for <see cref="InteractionKind.Dismiss"/>.</summary>
    public static float DefaultWeight(InteractionKind kind) => kind switch
    {
        InteractionKind.View => 1f,
        InteractionKind.Click => 2f,
        InteractionKind.Like => 3f,
        InteractionKind.Complete => 4f,
        _ => 0f,
    };

    /// <summary>Parses an event name such as <c>complete</c>, <c>completed</c>, <c>like</c>, <c>click</c>, <c>view</c> or <c>dismiss</c> (case-insensitive).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out InteractionKind kind)
    {
        text = text.Trim();
        if (Is(text, "view") || Is(text, "viewed") || Is(text, "impression_view"))
        {
            kind = InteractionKind.View;
        }
        else if (Is(text, "click") || Is(text, "clicked"))
        {
            kind = InteractionKind.Click;
        }
        else if (Is(text, "like") || Is(text, "liked"))
        {
            kind = InteractionKind.Like;
        }
        else if (Is(text, "complete") || Is(text, "completed") || Is(text, "enroll"))
        {
            kind = InteractionKind.Complete;
        }
        else if (Is(text, "dismiss") || Is(text, "dismissed"))
        {
            kind = InteractionKind.Dismiss;
        }
        else
        {
            kind = default;
            return false;
        }

        return true;
    }

    /// <summary>The lower-case name written to files and logs.</summary>
    public static string Name(InteractionKind kind) => kind switch
    {
        InteractionKind.View => "view",
        InteractionKind.Click => "click",
        InteractionKind.Like => "like",
        InteractionKind.Complete => "complete",
        _ => "dismiss",
    };

    private static bool Is(ReadOnlySpan<char> text, string name) => text.Equals(name, StringComparison.OrdinalIgnoreCase);
}
