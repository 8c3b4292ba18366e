using Ntm.Model;

namespace Ntm.Tests.Viz;

/// <summary>
/// A made-up trace shaped like a copy run on 8-bit vectors: the input phase writes along a diagonal
/// band of memory starting at row 40, the output phase reads the same rows back, so the pictures
/// have a known structure to look at.
/// </summary>
internal static class SyntheticTrace
{
    public static MachineTrace Copy(int length = 10, int bits = 8, int rows = 128, int width = 20, int readHeads = 1,
        int writeHeads = 1, int seed = 7)
    {
        var random = new Random(seed);
        int steps = 2 * length + 2;                 // sequence, delimiter, answer
        int inputs = bits + 2, outputs = bits;
        const int start = 40;
        var sequence = new float[length, bits];
        for (int i = 0; i < length; i++)
            for (int b = 0; b < bits; b++)
                sequence[i, b] = random.Next(2);

        var x = new float[steps, inputs];
        var y = new float[steps, outputs];
        var yHat = new float[steps, outputs];
        var mask = new float[steps];
        for (int i = 0; i < length; i++)
            for (int b = 0; b < bits; b++)
            {
                x[i, b] = sequence[i, b];
                y[length + 2 + i, b] = sequence[i, b];
                yHat[length + 2 + i, b] = sequence[i, b] == 1 ? 0.9f - 0.2f * (float)random.NextDouble() : 0.1f * (float)random.NextDouble();
            }
        x[length, bits] = 1;                        // delimiter channel
        for (int i = length + 2; i < steps; i++) mask[i] = 1;

        float[][,] Band(int heads, int offset, bool reading)
        {
            var all = new float[heads][,];
            for (int h = 0; h < heads; h++)
            {
                var w = new float[steps, rows];
                for (int t = 0; t < steps; t++)
                {
                    bool active = reading ? t >= length + 2 : t < length;
                    int i = reading ? t - length - 2 : t;
                    if (!active)
                    {
                        w[t, (start + length + h) % rows] = 1;    // parked after the band
                        continue;
                    }
                    int centre = start + offset + h + i;
                    w[t, centre % rows] = 0.8f;
                    w[(t), (centre + 1) % rows] = 0.15f;
                    w[t, (centre + rows - 1) % rows] = 0.05f;
                }
                all[h] = w;
            }
            return all;
        }

        float[][,] Vectors(int heads, bool signed)
        {
            var all = new float[heads][,];
            for (int h = 0; h < heads; h++)
            {
                var v = new float[steps, width];
                for (int t = 0; t < steps; t++)
                    for (int c = 0; c < width; c++)
                        v[t, c] = signed ? (float)Math.Tanh(2 * random.NextDouble() - 1) : (float)random.NextDouble();
                all[h] = v;
            }
            return all;
        }

        var memory = new float[rows, width];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < width; c++)
                memory[r, c] = r >= start && r < start + length ? (float)(2 * random.NextDouble() - 1) : 1e-3f * c;

        return new MachineTrace
        {
            Inputs = x,
            Targets = y,
            Outputs = yHat,
            Mask = mask,
            WriteWeightings = Band(writeHeads, 0, reading: false),
            ReadWeightings = Band(readHeads, 0, reading: true),
            ReadVectors = Vectors(readHeads, signed: true),
            EraseVectors = Vectors(writeHeads, signed: false),
            AddVectors = Vectors(writeHeads, signed: true),
            FinalMemory = memory,
        };
    }
}
