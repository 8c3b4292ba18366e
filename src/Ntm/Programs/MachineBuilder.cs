using Ntm.Numerics;

namespace Ntm.Programs;

/// <summary>
/// Builds a <see cref="TapeProgram"/> from discretised steps and a state label per step (docs/programs.md,
/// "From traces to a machine"): each state's action is, per head, the move consistent with most of its
/// focused steps (ties to the simpler move: stay, then the shortest shift, then a jump; when the head is never focused, stay, or with faint moves the move its faint peak made most often), the most frequent write
/// and, over its scored steps, the most frequently consistent output; each (state, input) pair goes to the
/// state it went to most often. Then states with equal actions are merged greedily wherever their
/// transitions can be folded together without a conflict, the states the start cannot reach are dropped,
/// and the rest are named A, B, C, ... in the order a breadth-first walk from the start meets them.
/// </summary>
internal static class MachineBuilder
{
    public static (TapeProgram Program, int Labels) Build(IReadOnlyList<StepRecord> records, int[] labels, int labelCount,
        int writeHeads, int readHeads, int bits, int outputSize, IReadOnlyList<int> initialOffsets, bool readsTape, bool counts = false, bool faint = false)
    {
        int k = labelCount + 1;   // state 0: start; label l is state l + 1
        int heads = writeHeads + readHeads;
        var moveVotes = new Dictionary<Move, int>[k, heads];
        var faintVotes = new Dictionary<Move, int>[k, heads];
        var writeVotes = new Dictionary<Write, int>[k, writeHeads];
        var emitVotes = new Dictionary<Emit, int>[k];
        var visits = new int[k];
        var next = new Dictionary<(int, string, string), Dictionary<int, int>>();
        for (int s = 0; s < k; s++)
        {
            emitVotes[s] = [];
            for (int h = 0; h < heads; h++) (moveVotes[s, h], faintVotes[s, h]) = ([], []);
            for (int h = 0; h < writeHeads; h++) writeVotes[s, h] = [];
        }
        for (int i = 0; i < records.Count; i++)
        {
            StepRecord r = records[i];
            int s = labels[i] + 1;
            visits[s]++;
            for (int h = 0; h < heads; h++)
            {
                foreach (Move m in r.Moves[h] ?? []) moveVotes[s, h][m] = moveVotes[s, h].GetValueOrDefault(m) + 1;
                if (faint)
                    foreach (Move m in r.FaintMoves[h] ?? []) faintVotes[s, h][m] = faintVotes[s, h].GetValueOrDefault(m) + 1;
            }
            for (int h = 0; h < writeHeads; h++) writeVotes[s, h][r.Writes[h]] = writeVotes[s, h].GetValueOrDefault(r.Writes[h]) + 1;
            if (r.Outputs is not null)
                foreach (Emit e in r.Outputs) emitVotes[s][e] = emitVotes[s].GetValueOrDefault(e) + 1;
        }

        // Each state's action.
        var actions = new StepAction?[k];
        for (int s = 1; s < k; s++)
        {
            if (visits[s] == 0) continue;
            var moves = new Move[heads];
            for (int h = 0; h < heads; h++)
            {
                // With faint moves, a head never focused in this state goes where its faint peak went most often.
                var votes = moveVotes[s, h].Count == 0 && faint ? faintVotes[s, h] : moveVotes[s, h];
                moves[h] = votes.Count == 0 ? Move.Stay
                    : votes.OrderByDescending(v => v.Value).ThenBy(v => StepRecorder.PreferenceKey(v.Key), StringComparer.Ordinal).First().Key;
            }
            var writes = new Write[writeHeads];
            for (int h = 0; h < writeHeads; h++)
                writes[h] = writeVotes[s, h].OrderByDescending(v => v.Value).ThenBy(v => v.Key.Kind).ThenBy(v => v.Key.Index).First().Key;
            Emit output = emitVotes[s].Count == 0 ? Emit.Nothing
                : emitVotes[s].OrderByDescending(v => v.Value).ThenBy(v => v.Key.Kind is EmitKind.Read or EmitKind.ReadBefore ? 0 : v.Key.Kind == EmitKind.Row ? 1 : 2).ThenBy(v => v.Key.Target).ThenBy(v => v.Key.Pattern, StringComparer.Ordinal).First().Key;
            actions[s] = new StepAction(moves, writes, output);
        }
        // Transitions, the counter's passes ending where the state's output gave the end of the data.
        int prevState = 0;
        bool emittedEnd = false;
        var counter = new PassCounter();
        for (int i = 0; i < records.Count; i++)
        {
            StepRecord r = records[i];
            if (r.Step == 0) (prevState, counter, emittedEnd) = (0, new PassCounter(), false);
            (string symbol, string read) = counts ? counter.See(r.Input.Symbol, r.ReadBefore, emittedEnd) : (r.Input.Symbol, r.ReadBefore);
            int s = labels[i] + 1;
            var key = (prevState, symbol, readsTape ? read : "");
            if (!next.TryGetValue(key, out var to)) next[key] = to = [];
            to[s] = to.GetValueOrDefault(s) + 1;
            emittedEnd = r.EndOutputs.Contains(actions[s]!.Output);
            prevState = s;
        }
        var agreeing = new int[k];
        for (int i = 0; i < records.Count; i++)
        {
            StepRecord r = records[i];
            int s = labels[i] + 1;
            StepAction a = actions[s]!;
            bool ok = (r.Outputs is null || r.Outputs.Contains(a.Output));
            for (int h = 0; h < heads && ok; h++) ok = r.Moves[h]?.Contains(a.Moves[h]) ?? true;
            for (int h = 0; h < writeHeads && ok; h++) ok = r.Writes[h] == a.Writes[h];
            if (ok) agreeing[s]++;
        }

        // Majority transitions, with their counts: (to, count, agreeing).
        var table = new Dictionary<int, Dictionary<(string, string), (int To, int Count, int Agree)>>();
        for (int s = 0; s < k; s++) table[s] = [];
        foreach (var ((from, sym, read), to) in next)
        {
            var best = to.OrderByDescending(v => v.Value).ThenBy(v => v.Key).First();
            table[from][(sym, read)] = (best.Key, to.Values.Sum(), best.Value);
        }

        // Greedy merging of states with equal actions, folding their transitions.
        var parent = Enumerable.Range(0, k).ToArray();
        var order = Enumerable.Range(1, k - 1).Where(s => visits[s] > 0).OrderByDescending(s => visits[s]).ThenBy(s => s).ToArray();
        for (int i = 0; i < order.Length; i++)
            for (int j = i + 1; j < order.Length; j++)
            {
                int a = Find(parent, order[i]), b = Find(parent, order[j]);
                if (a == b || actions[a]!.Key != actions[b]!.Key) continue;
                var p2 = (int[])parent.Clone();
                var t2 = table.ToDictionary(e => e.Key, e => new Dictionary<(string, string), (int To, int Count, int Agree)>(e.Value));
                var v2 = (int[])visits.Clone();
                var g2 = (int[])agreeing.Clone();
                if (TryMerge(p2, t2, v2, g2, actions, a, b)) (parent, table, visits, agreeing) = (p2, t2, v2, g2);
            }

        // Reachable states from the start, named in breadth-first order.
        var index = new Dictionary<int, int> { [0] = 0 };
        var queue = new Queue<int>();
        queue.Enqueue(0);
        var states = new List<ProgramState> { new("start", null) };
        var transitions = new List<Transition>();
        var pending = new List<(int From, (string Sym, string Read) Key, (int To, int Count, int Agree) Edge)>();
        while (queue.Count > 0)
        {
            int s = queue.Dequeue();
            foreach (var (key, edge) in table[s].OrderBy(e => e.Key.Item1, StringComparer.Ordinal).ThenBy(e => e.Key.Item2, StringComparer.Ordinal))
            {
                int to = Find(parent, edge.To);
                if (!index.ContainsKey(to))
                {
                    index[to] = states.Count;
                    states.Add(new ProgramState(Name(states.Count - 1), actions[to], visits[to], agreeing[to]));
                    queue.Enqueue(to);
                }
                pending.Add((s, key, (to, edge.Count, edge.Agree)));
            }
        }
        foreach (var (from, key, edge) in pending)
            transitions.Add(new Transition(index[from], key.Sym, key.Read, index[edge.To], edge.Count, edge.Agree));
        return (new TapeProgram(writeHeads, readHeads, bits, outputSize, initialOffsets, states, transitions, readsTape, counts), visits.Count(v => v > 0));
    }

    private static string Name(int i) => i < 26 ? ((char)('A' + i)).ToString() : $"S{i}";

    private static int Find(int[] parent, int s)
    {
        while (parent[s] != s) s = parent[s] = parent[parent[s]];
        return s;
    }

    // Merges b into a and folds their transitions; false on a conflict of actions.
    private static bool TryMerge(int[] parent, Dictionary<int, Dictionary<(string, string), (int To, int Count, int Agree)>> table,
        int[] visits, int[] agreeing, StepAction?[] actions, int a, int b)
    {
        var work = new Stack<(int, int)>();
        work.Push((a, b));
        while (work.Count > 0)
        {
            var (x0, y0) = work.Pop();
            int x = Find(parent, x0), y = Find(parent, y0);
            if (x == y) continue;
            if (x == 0 || y == 0 || actions[x]!.Key != actions[y]!.Key) return false;
            parent[y] = x;
            visits[x] += visits[y];
            agreeing[x] += agreeing[y];
            foreach (var (key, edge) in table[y])
            {
                if (table[x].TryGetValue(key, out var mine))
                {
                    table[x][key] = (mine.To, mine.Count + edge.Count, mine.Agree + edge.Agree);
                    work.Push((mine.To, edge.To));
                }
                else table[x][key] = edge;
            }
            table[y].Clear();
        }
        return true;
    }

    /// <summary>k-means (k-means++ seeding from <paramref name="rng"/>, Lloyd iterations) of the rows of <paramref name="points"/>; the label of each.</summary>
    public static int[] KMeans(IReadOnlyList<float[]> points, int k, Rng rng, int iterations = 30)
    {
        int n = points.Count, d = points[0].Length;
        k = Math.Min(k, n);
        var centres = new float[k][];
        centres[0] = (float[])points[rng.NextInt(n)].Clone();
        var dist = new double[n];
        for (int i = 0; i < n; i++) dist[i] = Distance(points[i], centres[0]);
        for (int c = 1; c < k; c++)
        {
            double total = dist.Sum(), pick = rng.NextDouble() * total;
            int chosen = n - 1;
            for (int i = 0; i < n; i++) { pick -= dist[i]; if (pick <= 0) { chosen = i; break; } }
            centres[c] = (float[])points[chosen].Clone();
            for (int i = 0; i < n; i++) dist[i] = Math.Min(dist[i], Distance(points[i], centres[c]));
        }
        var labels = new int[n];
        for (int it = 0; it < iterations; it++)
        {
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                double bd = double.MaxValue;
                for (int c = 0; c < k; c++)
                {
                    double dd = Distance(points[i], centres[c]);
                    if (dd < bd) (bd, best) = (dd, c);
                }
                if (labels[i] != best || it == 0) { changed |= labels[i] != best; labels[i] = best; }
            }
            if (!changed && it > 0) break;
            var sums = new double[k, d];
            var counts = new int[k];
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (int j = 0; j < d; j++) sums[labels[i], j] += points[i][j];
            }
            for (int c = 0; c < k; c++)
                if (counts[c] > 0)
                    for (int j = 0; j < d; j++) centres[c][j] = (float)(sums[c, j] / counts[c]);
        }
        return labels;
    }

    private static double Distance(float[] a, float[] b) =>
        System.Numerics.Tensors.TensorPrimitives.Distance(a, b) is var e ? (double)e * e : 0;
}
