# ruff: noqa: E501
# PyTorch's "NLP From Scratch: Classifying Names with a Character-Level RNN" in its manner:
# one-hot letters written by chained indexing (tensor[li][0][i] = 1), an RNN cell built from
# Linear layers over torch.cat((input, hidden), 1), LogSoftmax with NLLLoss, the update
# p.data.add_(p.grad.data, alpha=-lr), topk for the guess, and a confusion matrix.
import string
import unicodedata

import torch
import torch.nn as nn

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)


def unicodeToAscii(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s) if unicodedata.category(c) != 'Mn' and c in all_letters)


category_lines = {"Czech": ["Novak", "Dvorak", "Svoboda"], "French": ["Dubois", "Lefèvre", "Moreau"],
                  "Japanese": ["Sato", "Suzuki", "Takahashi"], "Scottish": ["Smith", "Brown", "Wilson"]}
all_categories = list(category_lines)
n_categories = len(all_categories)
print(unicodeToAscii('Ślusàrski'), n_letters, n_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


print(lineToTensor('Jones').size(), lineToTensor('Jones').sum().item(), lineToTensor('Jones')[0].argmax().item())


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = self.i2h(combined)
        output = self.softmax(self.i2o(combined))
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


n_hidden = 16
rnn = RNN(n_letters, n_hidden, n_categories)
with torch.no_grad():
    for i, p in enumerate(rnn.parameters()):
        p.copy_(0.1 * torch.sin(torch.arange(p.numel()) * 0.57 + i).view_as(p))
criterion = nn.NLLLoss()
learning_rate = 0.05


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


def train(category_tensor, line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


pairs = [(c, unicodeToAscii(line)) for c in all_categories for line in category_lines[c]]
for epoch in range(8):
    current_loss = 0
    for category, line in pairs:
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        output, loss = train(category_tensor, lineToTensor(line))
        current_loss += loss
    if epoch % 2 == 1:
        print(epoch, round(current_loss / len(pairs), 5), categoryFromOutput(output))
confusion = torch.zeros(n_categories, n_categories)
with torch.no_grad():
    for category, line in pairs:
        hidden = rnn.initHidden()
        line_tensor = lineToTensor(line)
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        confusion[all_categories.index(category)][categoryFromOutput(output)[1]] += 1
for i in range(n_categories):
    confusion[i] = confusion[i] / confusion[i].sum()
print(confusion, confusion.diag().mean().item())
