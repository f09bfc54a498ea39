namespace StudyRecs.Learning.Recommend;

/// <summary>One logged event of a student on a resource, with compact indexes from an <see cref="InteractionLog"/>.</summary>
/// <param name="User">Student index.</param>
/// <param name="Item">Resource index.</param>
/// <param name="Timestamp">Unix seconds.</param>
/// <param name="Weight">Confidence weight (see <see cref="InteractionKinds.DefaultWeight"/>); ignored for dismissals.</param>
/// <param name="Kind">What happened.</param>
public readonly record struct Interaction(int User, int Item, long Timestamp, float Weight, InteractionKind Kind);

/// <summary>A list of events with the id maps that give their indexes meaning.</summary>
public sealed class InteractionLog
{
    /// <summary>Creates a log over the given id maps and events.</summary>
    public InteractionLog(IdIndex users, IdIndex items, Interaction[] interactions)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(interactions);
        foreach (var e in interactions)
        {
            if ((uint)e.User >= (uint)users.Count || (uint)e.Item >= (uint)items.Count)
            {
                throw new ArgumentException("An interaction refers to a user or item outside the id maps.", nameof(interactions));
            }
        }

        Users = users;
        Items = items;
        Interactions = interactions;
    }

    /// <summary>Student ids.</summary>
    public IdIndex Users { get; }

    /// <summary>Resource ids (the catalog).</summary>
    public IdIndex Items { get; }

    /// <summary>The events, in no particular order.</summary>
    public Interaction[] Interactions { get; }
}
