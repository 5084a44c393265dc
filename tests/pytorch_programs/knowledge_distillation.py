# ruff: noqa: E501, UP032
# PyTorch's "Knowledge Distillation Tutorial" in its manner, on 12x12 deterministic images in
# float64 (set_default_dtype, which the convolutions follow): a
# deeper teacher and a light student CNN, soft targets with temperature T (softmax/log_softmax
# and the sum formula, checked against nn.KLDivLoss(reduction="batchmean") and log_target=True),
# a cosine-embedding loss between flattened hidden representations pooled by avg_pool1d, a
# regressor on the student's feature map matched by MSELoss, and the evaluation loop.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DROPOUT = 0.0  # the tutorial has 0.1; random masks differ between libraries
# in float32, Adam turns rounding noise in near-tied max-pool windows into visible differences
# after a few epochs (a 1e-7 change of the images moves torch's own loss by 1e-3)
torch.set_default_dtype(torch.float64)


class DeepNN(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(8, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=3),
        )
        self.classifier = nn.Sequential(nn.Linear(8 * 2 * 2, 32), nn.ReLU(), nn.Dropout(DROPOUT), nn.Linear(32, num_classes))

    def forward(self, x):
        x = self.features(x)
        flattened_conv_output = torch.flatten(x, 1)
        x = self.classifier(flattened_conv_output)
        flattened_conv_output_after_pooling = torch.nn.functional.avg_pool1d(flattened_conv_output, 2)
        return x, flattened_conv_output_after_pooling, None


class LightNN(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(4, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=3),
        )
        self.classifier = nn.Sequential(nn.Linear(4 * 2 * 2, 16), nn.ReLU(), nn.Dropout(DROPOUT), nn.Linear(16, num_classes))
        self.regressor = nn.Sequential(nn.Conv2d(4, 8, kernel_size=3, padding=1))

    def forward(self, x):
        x = self.features(x)
        regressor_output = self.regressor(x)
        flattened_conv_output = torch.flatten(x, 1)
        return self.classifier(flattened_conv_output), flattened_conv_output, regressor_output


def set_weights(model, phase):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            k = torch.arange(p.numel())
            fan_in = p[0].numel() if p.dim() > 1 else p.numel()
            p.copy_((torch.sin(k * phase + i) * math.sqrt(2.0 / fan_in)).reshape(p.shape))


images = torch.stack([torch.cos(torch.arange(3 * 12 * 12) * (0.05 + 0.011 * b) + b).view(3, 12, 12) for b in range(16)])
labels = torch.arange(16) % 4
train_loader = [(images[i:i + 4], labels[i:i + 4]) for i in range(0, 16, 4)]
test_loader = [(images, labels)]

teacher, student = DeepNN(), LightNN()
set_weights(teacher, 0.37)
set_weights(student, 0.53)
total_params_deep = "{:,}".format(sum(p.numel() for p in teacher.parameters()))
total_params_light = "{:,}".format(sum(p.numel() for p in student.parameters()))
print(f"DeepNN parameters: {total_params_deep}")
print(f"LightNN parameters: {total_params_light}")


def teacher_logits(inputs):
    return teacher(inputs)[0]


def train(model, epochs, learning_rate):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            outputs = model(inputs)[0]
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader)}")


def test(model):
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            outputs = model(inputs)[0]
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print(f"Test Accuracy: {accuracy:.2f}%")
    return accuracy


def train_knowledge_distillation(teacher, student, epochs, learning_rate, T, soft_target_loss_weight, ce_loss_weight):
    ce_loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits = teacher(inputs)[0]
            student_logits = student(inputs)[0]
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = torch.sum(soft_targets * (soft_targets.log() - soft_prob)) / soft_prob.size()[0] * (T**2)
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader)}")


def train_cosine_loss(teacher, student, epochs, learning_rate, hidden_rep_loss_weight, ce_loss_weight):
    ce_loss = nn.CrossEntropyLoss()
    cosine_loss = nn.CosineEmbeddingLoss()
    optimizer = torch.optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            with torch.no_grad():
                _, teacher_hidden_representation, _ = teacher(inputs)
            student_logits, student_hidden_representation, _ = student(inputs)
            hidden_rep_loss = cosine_loss(student_hidden_representation, teacher_hidden_representation, target=torch.ones(inputs.size(0)))
            label_loss = ce_loss(student_logits, labels)
            loss = hidden_rep_loss_weight * hidden_rep_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader)}")


train(teacher, epochs=3, learning_rate=0.001)
test_accuracy_deep = test(teacher)

# the tutorial's soft-target formula is KL(teacher || student): nn.KLDivLoss agrees
with torch.no_grad():
    t_logits, s_logits, T = teacher(images)[0], student(images)[0], 2.0
    by_hand = torch.sum(F.softmax(t_logits / T, -1) * (F.softmax(t_logits / T, -1).log() - F.log_softmax(s_logits / T, -1))) / images.size(0)
    kl = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(s_logits / T, -1), F.softmax(t_logits / T, -1))
    kl_log = F.kl_div(F.log_softmax(s_logits / T, -1), F.log_softmax(t_logits / T, -1), reduction="batchmean", log_target=True)
    print("KL by hand", round(by_hand.item(), 6), "KLDivLoss", round(kl.item(), 6), "log_target", round(kl_log.item(), 6))
    print("kl_div reductions", [round(F.kl_div(F.log_softmax(s_logits, -1), F.softmax(t_logits, -1), reduction=r).sum().item(), 5) for r in ("none", "sum", "mean", "batchmean")])

train_knowledge_distillation(teacher=teacher, student=student, epochs=3, learning_rate=0.001, T=2, soft_target_loss_weight=0.25, ce_loss_weight=0.75)
test_accuracy_light_ce_and_kd = test(student)
train_cosine_loss(teacher=teacher, student=student, epochs=2, learning_rate=0.001, hidden_rep_loss_weight=0.25, ce_loss_weight=0.75)
test(student)

student.train()
feature_map_criterion = nn.MSELoss()
optimizer = torch.optim.Adam(student.parameters(), lr=0.001)
teacher_features = teacher.features[:5]  # the teacher's conv stack up to its first pooling
for inputs, labels in train_loader[:2]:
    optimizer.zero_grad()
    with torch.no_grad():
        teacher_feature_map = F.adaptive_avg_pool2d(teacher_features(inputs), (2, 2))
    student_logits, _, regressor_feature_map = student(inputs)
    loss = 0.25 * feature_map_criterion(regressor_feature_map, teacher_feature_map) + 0.75 * F.cross_entropy(student_logits, labels)
    loss.backward()
    optimizer.step()
    print("feature-map loss", round(loss.item(), 5), tuple(regressor_feature_map.shape), tuple(teacher_feature_map.shape))
print(f"Teacher accuracy: {test_accuracy_deep:.2f}%")
print(f"Student accuracy with CE + KD: {test_accuracy_light_ce_and_kd:.2f}%")
