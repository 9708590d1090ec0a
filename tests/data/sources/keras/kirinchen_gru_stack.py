# Origin: https://github.com/kirinchen/tf-class-code/blob/ee6eb9d5f13815c9b8efd66c756a326778bf7184/Keras/Ch11/Ch11_4_2b.py
# (unchanged below this comment)
from keras.models import Sequential
from keras.layers import Embedding, GRU

# 定義模型
model = Sequential()
model.add(Embedding(10000, 32, input_length=100))
model.add(GRU(32, return_sequences=True))
model.add(GRU(32, return_sequences=True))
model.add(GRU(32))

model.summary()   # 顯示模型摘要資訊
