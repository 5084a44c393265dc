# torch.utils.data beyond TensorDataset: a map-style Dataset of dicts (numpy scalars, tensors,
# strings), ConcatDataset, Subset, the samplers, BatchSampler, collate_fn, default_collate,
# an IterableDataset, batch_size=None and batch_sampler.
import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)
from torch.utils.data.dataloader import default_collate


class Squares(Dataset):
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n
    def __getitem__(self, i):
        y = torch.tensor([i * i], dtype=torch.float32)
        return {"x": np.float32(i), "y": y, "name": f"item{i}"}

ds = Squares(10)
dl = DataLoader(ds, batch_size=4, pin_memory=True, persistent_workers=False)
for b in dl:
    print(b["x"].dtype, b["x"].tolist(), b["y"].shape, b["name"])
print(len(dl))
cat = ConcatDataset([Squares(3), Squares(2)])
print(len(cat), cat[4]["x"])
sub = Subset(ds, [1, 3, 5])
print([sub[i]["x"] for i in range(len(sub))])
print(list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)))
g = torch.Generator().manual_seed(0)
print(sorted(SubsetRandomSampler([2, 4, 6], generator=g)))
weighted = WeightedRandomSampler([0.1, 0.9, 0.0], num_samples=5, replacement=True, generator=g)
print(len(list(weighted)), 2 in set(weighted))
print(len(list(RandomSampler(range(5), generator=g))))
dl2 = DataLoader(TensorDataset(torch.arange(6.0), torch.arange(6)), batch_size=2,
                 sampler=SequentialSampler(range(6)))
print([b[1].tolist() for b in dl2])
def collate(batch):
    xs, ys = zip(*batch)
    return torch.stack(xs), torch.stack(ys)
dl3 = DataLoader(TensorDataset(torch.ones(5, 2), torch.zeros(5)), batch_size=2, collate_fn=collate)
print([tuple(x.shape) for x, _ in dl3])
print(default_collate([(1, 2.0), (3, 4.0)]))
class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(5))
print([b.tolist() for b in DataLoader(Stream(), batch_size=2)])
dl4 = DataLoader(ds, batch_size=None)
print(next(iter(dl4))["x"])
pairs = BatchSampler(SequentialSampler(range(5)), 2, True)
dl5 = DataLoader(TensorDataset(torch.arange(5.0)), batch_sampler=pairs)
print([b[0].tolist() for b in dl5])
